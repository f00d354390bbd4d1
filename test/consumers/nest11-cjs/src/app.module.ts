import { Module } from '@nestjs/common';
import { PubSubModule } from '@gater/pubsub';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [PubSubModule.forRoot()],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class AppModule {}
