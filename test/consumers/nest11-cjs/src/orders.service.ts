import { Injectable } from '@nestjs/common';
import { EventsChannel, OnEvents, type PubSubMessage, type PublishResult } from '@gater/pubsub';

export interface OrderPlaced {
  orderId: string;
}

/** A provider that publishes, and hears its own channel through a decorated handler. */
@Injectable()
export class OrdersService {
  readonly heard: PubSubMessage<OrderPlaced>[] = [];

  constructor(private readonly events: EventsChannel) {}

  place(orderId: string): PublishResult {
    return this.events.publish(`orders:${orderId}`, 'order_placed', { orderId });
  }

  @OnEvents('orders:*')
  onOrderPlaced(message: PubSubMessage<OrderPlaced>): void {
    this.heard.push(message);
  }
}
