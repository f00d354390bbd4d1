import type { ChannelName } from '../channels/channel-names.js';
import type { FrameRejection } from './wire-frame.js';

/** The durable side of a cluster transport (RedisStreamsBackend): its lifecycle follows the bus's. */
export interface DurableStore {
  /** `rejected`: a stored entry failed verification (never delivered). */
  open(waitMs: number, events: { rejected(channel: ChannelName, error: FrameRejection): void }): Promise<void>;
  close(): Promise<void>;
  abort(): void;
}
