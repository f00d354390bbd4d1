import type { PubSubMessage } from '../../channels/channel.types.js';
import type { DurableMemberOptions } from '../../durable/durable-backend.js';

/** A delivery this node handed out and has not seen acknowledged. */
export interface InFlight {
  /** Which delivery of the entry this is: a redelivered entry's earlier delivery can no longer acknowledge it. */
  readonly token: number;
  readonly deliveryCount: number;
  readonly deliveredAt: number;
  /** The consumer that owns the entry in the group's pending list. */
  readonly consumer: string;
}

/** What the member tells its group when one of its deliveries is acknowledged. */
export type Acknowledge = (id: string, delivery: InFlight) => void;

/** One member of a durable group on this node (a subscription) with its deliveries not yet acknowledged. */
export class StreamMember {
  readonly inFlight = new Map<string, InFlight>();
  private nextToken = 0;

  constructor(
    readonly options: DurableMemberOptions,
    readonly consumer: string,
    private readonly acknowledge: Acknowledge,
  ) {}

  capacity(): number {
    return Math.max(0, this.options.capacity());
  }

  matches(topic: string, match: (pattern: string, topic: string) => boolean): boolean {
    return this.options.patterns.some((pattern) => match(pattern, topic));
  }

  deliver(id: string, message: PubSubMessage, deliveryCount: number, consumer: string, now: number): void {
    const delivery: InFlight = { token: this.nextToken++, deliveryCount, deliveredAt: now, consumer };
    this.inFlight.set(id, delivery);
    this.options.deliver({ message: { ...message, deliveryCount }, ack: () => this.ack(id, delivery) });
  }

  /** The entry went to another delivery (an ack-timeout claim): this member's acknowledgement no longer counts. */
  release(id: string): InFlight | undefined {
    const delivery = this.inFlight.get(id);
    this.inFlight.delete(id);
    return delivery;
  }

  private ack(id: string, delivery: InFlight): boolean {
    if (this.inFlight.get(id) !== delivery) return false;
    this.inFlight.delete(id);
    this.acknowledge(id, delivery);
    return true;
  }
}
