import type { ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import type { FrameRejection } from './wire-frame.js';

export interface DurableStoreEvents {
  rejected(channel: ChannelName, error: FrameRejection): void;
  encodedTail?(message: PubSubMessage): string | undefined;
  /** This node's publications of a channel the bus has not taken yet (a first group's seeding accounts for them). */
  unsent?(channel: ChannelName): PubSubMessage[];
}

/** The durable side of a cluster transport (RedisStreamsBackend): its lifecycle follows the bus's. */
export interface DurableStore {
  /**
   * `rejected`: a stored entry failed verification (never delivered). `encodedTail`: the bus's serialisation of a
   * message being published, when it has one, so the entry need not serialise it again.
   */
  open(waitMs: number, events: DurableStoreEvents): Promise<void>;
  close(): Promise<void>;
  abort(): void;
}
