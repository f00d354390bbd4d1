import type { ChannelName } from './channel-names.js';

export interface PubSubMessage<P = unknown> {
  /** Unique per message, across nodes and restarts. */
  id: string;
  channel: ChannelName;
  topic: string;
  /** The event type tag, e.g. 'node_health_updated'. */
  type: string;
  /** Delivered as published: null, {}, [] and strings included. */
  payload: P;
  /** Milliseconds since the epoch, set at publish. */
  timestamp: number;
  /** The publishing node's name. */
  node: string;
  /** String metadata set at publish (the `headers` option, W3C `traceparent` when tracing); covered by the signature. */
  headers?: Record<string, string>;
}

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

/** A subscriber; `P` is the payload type it expects (not checked at run time: see isCatalogueMessage). */
export type MessageHandler<P = unknown> = (message: PubSubMessage<P>) => unknown | Promise<unknown>;

export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export interface SubscribeOptions {
  /** Messages a mailbox holds before the overflow policy applies; default 10_000 (or the channel's setting). */
  mailboxSize?: number;
  /** Default 'drop-oldest'. */
  overflow?: OverflowPolicy;
  /** Handler calls in flight at once; default 1, which keeps order. */
  concurrency?: number;
  /** Extra attempts when the handler throws or rejects; default 0. */
  retries?: number;
}

export interface Subscription {
  readonly id: string;
  readonly patterns: string[];
  readonly closed: boolean;
  unsubscribe(): void;
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
}
