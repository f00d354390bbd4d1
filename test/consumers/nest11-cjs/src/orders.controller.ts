import { Controller, Param, Post } from '@nestjs/common';
import { OnEvents, type PubSubMessage } from '@gater/pubsub';
import { OrdersService, type OrderPlaced } from './orders.service';

/** A controller that publishes through the service and has a decorated handler of its own. */
@Controller('orders')
export class OrdersController {
  readonly heard: PubSubMessage<OrderPlaced>[] = [];

  constructor(private readonly orders: OrdersService) {}

  @Post(':id')
  place(@Param('id') id: string): { published: boolean } {
    return { published: this.orders.place(id).ok };
  }

  @OnEvents('orders:*')
  onOrderPlaced(message: PubSubMessage<OrderPlaced>): void {
    this.heard.push(message);
  }
}
