import type { ChannelName } from '../vocabulary/channel-names.js';
import type { PubSubMessage } from '../vocabulary/message.js';
import type { ReplaySelector } from './replay-selector.js';

/**
 * The seam between the durable dispatch (groups, members, acknowledgements) and where retained messages live:
 * the process's RetentionLog (memory) or a Redis stream per channel (redis). Pure: no Nest, no I/O here.
 */

export interface RetentionPolicy {
  maxMessages: number;
  maxAgeMs: number;
}

/** A message handed to a durable member; settle it exactly once. */
export interface DurableDelivery {
  readonly message: PubSubMessage & { deliveryCount: number };
  /**
   * The handler finished (or the message was dead-lettered). False when the acknowledgement came too late (the
   * ack timeout or the member's leaving already handed the message on), so it is not counted in `acked`;
   * nothing (undefined) when the backend cannot tell at once.
   */
  ack(): boolean | void;
}

export interface DurableMemberOptions {
  channel: ChannelName;
  /** The group name. */
  durable: string;
  /** Only matching messages are delivered; others are acknowledged/skipped by the group. */
  patterns: string[];
  ackTimeoutMs: number;
  /**
   * The subscription's `replay`, if any: a group created by this member starts at the first message it selects
   * instead of at the end of the log. An existing group keeps its own position.
   */
  replay?: ReplaySelector;
  /** How many deliveries this member can take now (its free concurrency slots). */
  capacity(): number;
  deliver(delivery: DurableDelivery): void;
  /** Messages this group can no longer get (they fell out of retention before it read them). */
  lost(count: number): void;
}

export interface DurableMembership {
  /** The member has free capacity again (a handler finished): pull more. */
  wake(): void;
  /**
   * Leaves the group; unacknowledged deliveries of this member are redelivered to others after ackTimeoutMs
   * (memory: at once, since the member is gone).
   */
  leave(): void;
  /** For stats: delivered but not yet acknowledged, for this member. */
  readonly pending: number;
}

export interface DurableLag {
  /** Delivered but not yet acknowledged. */
  pending: number;
  /** Retained but not yet delivered to the group. */
  backlog: number;
  /** Age in ms of the oldest pending or unread message; 0 when there is none. */
  oldestMs: number;
}

export interface DurableBackend {
  /** 'memory' or 'redis' (stats, logs). */
  readonly kind: string;
  /**
   * Called once per accepted, non-local publication on a retained channel, on the publishing node only.
   * Must not throw; failures are counted by the backend and reported through `failed`.
   */
  append(message: PubSubMessage, retention: RetentionPolicy): void;
  join(member: DurableMemberOptions): DurableMembership;
  /** Group-level view for stats/health: pending count and the age of the oldest pending / unread message. */
  lag(channel: ChannelName, durable: string): DurableLag;
  close(): Promise<void>;
}
