import { Test } from '@nestjs/testing';
import { EventsChannel, PubSubManager, PubSubModule, recordMessages } from '@gater/pubsub';
import { OrdersController } from './orders.controller.js';
import { OrdersService, type OrderPlaced } from './orders.service.js';

// The starter's Vitest setup (globals on), loading the installed package, with the package's testing helpers.
describe('orders', () => {
  it('delivers a placed order to the provider and the controller handlers', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PubSubModule.forTest()],
      controllers: [OrdersController],
      providers: [OrdersService],
    }).compile();
    await moduleRef.init();
    try {
      const placed = recordMessages<OrderPlaced>(moduleRef.get(EventsChannel), 'orders:*');
      expect(moduleRef.get(OrdersController).place('7')).toEqual({ published: true });

      const [message] = await placed.waitFor(1);
      expect([message.topic, message.type, message.payload.orderId]).toEqual(['orders:7', 'order_placed', '7']);
      // The decorated handlers of the provider and of the controller heard the same message.
      expect(await moduleRef.get(PubSubManager).drain(2_000)).toBe(true);
      expect(moduleRef.get(OrdersService).heard.map((heard) => heard.id)).toEqual([message.id]);
      expect(moduleRef.get(OrdersController).heard.map((heard) => heard.id)).toEqual([message.id]);
    } finally {
      await moduleRef.close();
    }
  });
});
