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
  /** Durable subscriptions: 1 on the first delivery, one more for each retry or redelivery. */
  deliveryCount?: number;
}

/** A subscriber; `P` is the payload type it expects (not checked at run time: see isCatalogueMessage). */
export type MessageHandler<P = unknown> = (message: PubSubMessage<P>) => unknown | Promise<unknown>;

export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export interface Subscription {
  readonly id: string;
  readonly patterns: string[];
  readonly closed: boolean;
  unsubscribe(): void;
}
