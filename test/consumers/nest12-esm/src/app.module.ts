import { Module } from '@nestjs/common';
import { PubSubModule } from '@gater/pubsub';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

@Module({
  imports: [PubSubModule.forRoot()],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class AppModule {}
