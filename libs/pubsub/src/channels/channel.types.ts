import type { ChannelName } from './channel-names.js';
import type { OverflowPolicy } from '../vocabulary/message.js';

// The message, handler and subscription the layers below channels/ share (vocabulary/message.ts).
export type { MessageHandler, OverflowPolicy, PubSubMessage, Subscription } from '../vocabulary/message.js';

export interface PublishOptions {
  /** Deliver on this node only: never handed to the transport. */
  local?: boolean;
  /** String metadata carried with the message; anything but a plain object of string values is 'invalid_message'. */
  headers?: Record<string, string>;
}

/** Why a publication was refused. */
export type RefusalReason = 'invalid_topic' | 'invalid_type' | 'invalid_message' | 'too_large' | 'disabled' | 'closed';

// The `?: never` members let `result.reason` / `result.id` be read on the union itself, so a check such as
// `if (!result.ok)` compiles with strictNullChecks off too, where TypeScript does not narrow on a boolean
// discriminant (with it on, the check narrows as usual).
export interface PublishAccepted {
  ok: true;
  /** The message id. */
  id: string;
  reason?: never;
  error?: never;
}

export interface PublishRefusal {
  ok: false;
  reason: RefusalReason;
  /** A sentence a person can act on. */
  error: string;
  id?: never;
}

export type PublishResult = PublishAccepted | PublishRefusal;

export interface PublishAndWaitOptions extends PublishOptions {
  /** How long to wait for the subscriptions reached; default 5_000, Infinity for no limit. */
  timeoutMs?: number;
}

/** How the subscriptions a publication reached on this node finished with it (see Channel.publishAndWait). */
export interface PublishAndWaitAccepted {
  ok: true;
  /** The message id. */
  id: string;
  /** Handlers that returned or resolved (durable: acknowledged after the handler). */
  delivered: number;
  /** Handlers that failed their last attempt (dead-lettered), and subscriptions that discarded the message
   * (a full mailbox, unsubscribed before its turn, the channel closing). */
  failed: number;
  /** Subscriptions still busy with the message, or not yet at it, when timeoutMs passed. */
  timedOut: number;
  reason?: never;
  error?: never;
}

// The refusal side gets the counts as `?: never` for the same reason as PublishAccepted's `reason?: never`.
export type PublishAndWaitResult = PublishAndWaitAccepted | (PublishRefusal & { delivered?: never; failed?: never; timedOut?: never });

export interface SubscribeOptions {
  /** Messages a mailbox holds before the overflow policy applies; default 10_000 (or the channel's setting). */
  mailboxSize?: number;
  /** Default 'drop-oldest'. */
  overflow?: OverflowPolicy;
  /** Handler calls in flight at once; default 1, which keeps order. */
  concurrency?: number;
  /** Extra attempts when the handler throws or rejects; default 0. */
  retries?: number;
  /**
   * Retained messages to deliver first, then live ones with no gap and no duplicate: the last N matches,
   * those published at or after `sinceMs` (epoch ms), or those after the message `sinceId`. Needs retention.
   */
  replay?: number | { sinceMs?: number; sinceId?: string };
  /** A named subscription: at-least-once, its position kept while it is away; one name shared = a queue group. Needs retention. */
  durable?: string;
  /** Durable: unacknowledged after this, the message is redelivered; default 30_000. */
  ackTimeoutMs?: number;
  /** Durable: deliveries before a dead letter; default retries + 1, at least 5. */
  maxDeliveries?: number;
  /**
   * Wait before the first retry; default 0 (at once). Doubles per retry with jitter, capped at retryMaxDelayMs.
   * A waiting retry keeps its message's concurrency slot: other subscriptions never wait for it.
   */
  retryDelayMs?: number;
  /** Longest wait between two attempts; default 30_000. */
  retryMaxDelayMs?: number;
}

export interface ChannelStats {
  channel: ChannelName;
  instance: string;
  /** Accepted publications. */
  published: number;
  /** Handler calls that completed without error (one per subscription reached). */
  delivered: number;
  /** Publications refused or that could not be sent. */
  failedPublications: number;
  /** Handler calls that threw or rejected, retries included. */
  handlerErrors: number;
  /** Messages a full mailbox discarded. */
  dropped: number;
  /** Open subscriptions. */
  subscriptions: number;
  /** Messages waiting in all mailboxes. */
  mailboxDepth: number;
  /** Messages from other nodes known never to have arrived (per-node sequence gaps); 0 in memory. */
  lost: number;
  /** Durable deliveries acknowledged (handled, or dead-lettered). */
  acked: number;
  /** Durable handler calls past a message's first delivery (retries and redeliveries). */
  redelivered: number;
  /** Durable deliveries handed to this node's subscriptions and not yet acknowledged. */
  pending: number;
  /** Messages the channel's retention holds on this node; 0 without retention. */
  retained: number;
}
