import type { ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import type { SendRefusal } from './outbound-queue.js';

/**
 * Publishes data frames in place of a plain bus publish, and may refuse one (the stream gate of retained
 * channels over Redis, redis-streams/stream-gate.ts): the outbound queue then re-sends it and every frame after
 * it, in order, once nothing is in flight.
 */
export interface FrameGate {
  publish(frame: Buffer, entries: readonly { message: PubSubMessage; text: string }[]): Promise<number | SendRefusal>;
  /** Refused frames are about to be re-sent (nothing of the old ones is in flight any more). */
  resending(): void;
  /** Whether this node appends the channel's publications to a stream (it has a durable group). */
  appends(channel: ChannelName): boolean;
  /** Reads what it must know of the channels (their streams' markers) before data flows; never rejects. */
  refresh(): Promise<void>;
}
