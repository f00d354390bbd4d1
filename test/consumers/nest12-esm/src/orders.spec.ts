import { Test } from '@nestjs/testing';
import { PubSubModule } from '@gater/pubsub';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

// The starter's Vitest setup (globals on), loading the installed package.
describe('orders', () => {
  it('delivers a placed order to the provider and the controller handlers', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PubSubModule.forRoot()],
      controllers: [OrdersController],
      providers: [OrdersService],
    }).compile();
    await moduleRef.init();
    try {
      expect(moduleRef.get(OrdersController).place('7')).toEqual({ published: true });
      const service = moduleRef.get(OrdersService);
      const controller = moduleRef.get(OrdersController);
      const deadline = Date.now() + 5_000;
      while ((service.heard.length === 0 || controller.heard.length === 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(service.heard.map((message) => message.payload)).toEqual([{ orderId: '7' }]);
      expect(controller.heard.map((message) => message.topic)).toEqual(['orders:7']);
    } finally {
      await moduleRef.close();
    }
  });
});
