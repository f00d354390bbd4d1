import type { DeliveryScheduler } from '../delivery/delivery-scheduler.js';
import type { DurableBackend, RetentionPolicy } from '../durable/durable-backend.js';
import type { ThrottledLog } from '../delivery/throttled-log.js';
import type { ChannelName } from './channel-names.js';
import type { MessageHandler, OverflowPolicy, PubSubMessage } from './channel.types.js';
import type { CoarseClock } from './coarse-clock.js';
import type { MessageIdSource, SubscriptionIdSource } from './message-ids.js';

/**
 * What a channel is wired to, read in one place. Every field is present from construction (undefined when
 * unused), so the publish path reads fields of one fixed-shape object. All but the two instruments are given
 * when the channel set is built (ChannelWiring); the instruments load later, through ChannelSet.instrument().
 */
export interface ChannelHooks {
  /** The payload to publish, completed with what only the application knows (its node name); runs before validate. */
  readonly complete: ((channel: ChannelName, type: string, payload: unknown, nodeName: string) => unknown) | undefined;
  /** An error text refuses the publication as 'invalid_message'. */
  readonly validate: ((channel: ChannelName, type: string, payload: unknown) => string | undefined) | undefined;
  /**
   * When set, `complete` and `validate` run only for the types in the channel's set (the catalogue's types of
   * that channel): the channel asks once and keeps the set, so other publications skip both hooks for one lookup.
   */
  readonly checkedTypes: ((channel: ChannelName) => ReadonlySet<string>) | undefined;
  /** Hands an accepted, non-local message on (after it was accepted here). */
  readonly outbound: ((message: PubSubMessage) => void) | undefined;
  /**
   * A remote transport's way out, called before the message is accepted or delivered anywhere: it
   * serialises and queues the message, or refuses it (too large, not serialisable) so that the publish
   * result tells the truth instead of reporting a message only this node gets.
   */
  readonly transmit: ((message: PubSubMessage) => OutboundRefusal | undefined) | undefined;
  readonly deadLetter: (message: PubSubMessage, error: unknown, attempts: number, subscriptionId: string) => void;
  /** Where durable subscriptions keep their groups: in memory by default, Redis Streams with the Redis transport. */
  readonly durable: DurableBackend;
  /** Adds context to the headers of a message being published (tracing's traceparent); returns them. */
  readonly propagate: ChannelInstruments['propagate'];
  /** Wraps a handler once, at subscribe time (metrics timing, tracing): nothing is added per call when unset. */
  readonly wrapHandler: ChannelInstruments['wrapHandler'];
}

/** What the layers around the core give a channel set when it is built (the composition root's collaborators). */
export interface ChannelWiring {
  /** The catalogue's checks (CATALOGUE_HOOKS); none: every payload passes as it is. */
  complete?: ChannelHooks['complete'];
  validate?: ChannelHooks['validate'];
  checkedTypes?: ChannelHooks['checkedTypes'];
  outbound?: ChannelHooks['outbound'];
  /** The transport's TransportLayer.transmit; none: a single node. */
  transmit?: ChannelHooks['transmit'];
  /** The transport's TransportLayer.durable; none: the channel set keeps durable groups in memory. */
  durable?: DurableBackend;
}

/** The optional instruments, loaded after the channels exist (metrics and tracing are optional peers). */
export interface ChannelInstruments {
  propagate: ((headers: Record<string, string> | undefined) => Record<string, string> | undefined) | undefined;
  wrapHandler: ((handler: MessageHandler, target: HandlerTarget) => MessageHandler) | undefined;
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
