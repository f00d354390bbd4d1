import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { EventsChannel, PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { AppModule } from './app.module';
import { OrdersController } from './orders.controller';
import { OrdersService, type OrderPlaced } from './orders.service';

// Boots the application over HTTP, places an order through the controller's route and waits until the
// decorated handlers of the provider and of the controller, and a typed subscription, have heard it. Exit code
// 0 only then.
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  try {
    // A typed handler passed to subscribe compiles under the app's strict settings and hears the same order.
    const typed: string[] = [];
    app.get(EventsChannel).subscribe('orders:*', (message: PubSubMessage<OrderPlaced>) => {
      typed.push(message.payload.orderId);
    });
    const response = await fetch(`${await app.getUrl()}/orders/42`, { method: 'POST' });
    const body = (await response.json()) as { published: boolean };
    if (!body.published) throw new Error(`POST /orders/42 did not publish: ${JSON.stringify(body)}`);

    const service = app.get(OrdersService);
    const controller = app.get(OrdersController);
    if (!(await app.get(PubSubManager).drain(5_000))) throw new Error('deliveries did not settle within 5 s');
    const heard = [service.heard[0]?.payload.orderId, controller.heard[0]?.payload.orderId, typed[0]];
    if (heard.some((orderId) => orderId !== '42')) throw new Error(`handlers heard ${JSON.stringify(heard)}`);

    // A CommonJS application that also reaches the package through import() must get the same classes.
    const imported = await import('@gater/pubsub');
    const required = require('@gater/pubsub') as typeof imported;
    if (imported.EventsChannel !== required.EventsChannel || imported.Channel !== required.Channel) {
      throw new Error('require and import loaded @gater/pubsub twice');
    }
    console.log('nest11-cjs: provider, controller and typed handlers heard orders:42; require and import give the same classes');
  } finally {
    await app.close();
  }
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
