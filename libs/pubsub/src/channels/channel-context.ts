import type { DeliveryScheduler } from '../delivery/delivery-scheduler.js';
import type { DurableBackend, RetentionPolicy } from '../durable/durable-backend.js';
import type { ThrottledLog } from '../delivery/throttled-log.js';
import type { ChannelName } from './channel-names.js';
import type { MessageHandler, OverflowPolicy, PubSubMessage } from './channel.types.js';
import type { CoarseClock } from './coarse-clock.js';
import type { MessageIdSource, SubscriptionIdSource } from './message-ids.js';

/**
 * Extension points filled by the layers around the core (catalogue validation, transport, dead letters),
 * so the channel itself knows none of them.
 */
export interface ChannelHooks {
  /** The payload to publish, completed with what only the application knows (its node name); runs before validate. */
  complete?: (channel: ChannelName, type: string, payload: unknown, nodeName: string) => unknown;
  /** An error text refuses the publication as 'invalid_message'. */
  validate?: (channel: ChannelName, type: string, payload: unknown) => string | undefined;
  /**
   * When set, `complete` and `validate` run only for the types in the channel's set (the catalogue's types of
   * that channel): the channel asks once and keeps the set, so other publications skip both hooks for one lookup.
   */
  checkedTypes?: (channel: ChannelName) => ReadonlySet<string>;
  /** Hands an accepted, non-local message to the transport. */
  outbound?: (message: PubSubMessage) => void;
  /**
   * A remote transport's way out, called before the message is accepted or delivered anywhere: it
   * serialises and queues the message, or refuses it (too large, not serialisable) so that the publish
   * result tells the truth instead of reporting a message only this node gets.
   */
  transmit?: (message: PubSubMessage) => OutboundRefusal | undefined;
  deadLetter?: (message: PubSubMessage, error: unknown, attempts: number, subscriptionId: string) => void;
  /** Adds context to the headers of a message being published (tracing's traceparent); returns them. */
  propagate?: (headers: Record<string, string> | undefined) => Record<string, string> | undefined;
  /** Wraps a handler once, at subscribe time (metrics timing, tracing): nothing is added per call when unset. */
  wrapHandler?: (handler: MessageHandler, target: HandlerTarget) => MessageHandler;
  /** Where durable subscriptions keep their groups: in memory by default, Redis Streams with the Redis transport. */
  durable?: DurableBackend;
}

export interface HandlerTarget {
  channel: ChannelName;
  subscription: string;
}

export interface OutboundRefusal {
  reason: 'too_large' | 'invalid_message';
  error: string;
}

export interface ChannelContext {
  readonly nodeName: string;
  readonly scheduler: DeliveryScheduler;
  readonly log: ThrottledLog;
  readonly ids: MessageIdSource;
  readonly subscriptionIds: SubscriptionIdSource;
  readonly clock: CoarseClock;
  readonly defaults: { mailboxSize: number; overflow: OverflowPolicy };
  /** What the channel keeps for recent(), replay and durable subscriptions; none when undefined. */
  readonly retention?: RetentionPolicy;
  readonly hooks: ChannelHooks;
}
