import type { Observable } from 'rxjs';
import type { ChannelCounters } from '../delivery/channel-counters.js';
import type { ThrottledLog } from '../delivery/throttled-log.js';
import type { DurableLag } from '../durable/durable-backend.js';
import type { ChannelContext } from './channel-context.js';
import { ChannelCore } from './channel-core.js';
import type { ChannelName } from './channel-names.js';
import type { ChannelRetention } from './channel-retention.js';
import type {
  ChannelStats,
  MessageHandler,
  PublishAndWaitOptions,
  PublishAndWaitResult,
  PublishOptions,
  PublishResult,
  PubSubMessage,
  SubscribeOptions,
  Subscription,
} from './channel.types.js';

/**
 * One isolated channel, as applications inject it: each of the ten has its own class (EventsChannel, ...) for
 * dependency injection, and every call goes to the channel's ChannelCore. V8 gives each class's instances their
 * own hidden class, so the publish path, when it ran on these objects, saw one shape per channel in use, and
 * past four it fell back to generic property look-ups: an application that had published on every channel
 * published to ten subscriptions 1.6 times slower (102 ms instead of 62-66 ms per 400,000 publications through
 * forRoot()). ChannelCore is one class for all ten, so the code behind these one-line calls sees one shape.
 */
export abstract class Channel {
  readonly instance: string;
  /** @internal */
  readonly core: ChannelCore;
  /** @internal The channel's counters (the core's). */
  readonly counters: ChannelCounters;
  /** @internal What this node keeps of the channel (recent, replay, durable subscriptions); undefined without retention. */
  readonly retention: ChannelRetention | undefined;

  protected constructor(
    readonly name: ChannelName,
    context: ChannelContext,
  ) {
    this.core = new ChannelCore(name, context);
    this.instance = this.core.instance;
    this.counters = this.core.counters;
    this.retention = this.core.retention;
  }

  /** @internal */
  get log(): ThrottledLog {
    return this.core.log;
  }

  publish(topic: string, type: string): PublishResult;
  publish<P>(topic: string, type: string, payload: P, options?: PublishOptions): PublishResult;
  publish<P>(topic: string, message: { type: string; payload?: P }, options?: PublishOptions): PublishResult;
  publish(topic: unknown, typeOrMessage: unknown, payloadOrOptions?: unknown, maybeOptions?: unknown): PublishResult {
    return this.core.publish(topic, typeOrMessage, payloadOrOptions, maybeOptions);
  }

  /**
   * Publishes like `publish`, then resolves once every subscription the message reached on this node finished
   * with it, or at `timeoutMs` (default 5_000), with the counts. Never rejects: a refusal is the result.
   */
  publishAndWait(topic: string, type: string): Promise<PublishAndWaitResult>;
  publishAndWait<P>(topic: string, type: string, payload: P, options?: PublishAndWaitOptions): Promise<PublishAndWaitResult>;
  publishAndWait<P>(topic: string, message: { type: string; payload?: P }, options?: PublishAndWaitOptions): Promise<PublishAndWaitResult>;
  publishAndWait(
    topic: unknown,
    typeOrMessage: unknown,
    payloadOrOptions?: unknown,
    maybeOptions?: unknown,
  ): Promise<PublishAndWaitResult> {
    return this.core.publishAndWait(topic, typeOrMessage, payloadOrOptions, maybeOptions);
  }

  /** @internal See ChannelCore.publishInternal. */
  publishInternal(topic: string, message: { type: string; payload?: unknown }, options?: PublishOptions): PublishResult {
    return this.core.publishInternal(topic, message, options);
  }

  subscribe<P = unknown>(pattern: string | string[], handler: MessageHandler<P>, options?: SubscribeOptions): Subscription {
    return this.core.subscribe(pattern, handler, options);
  }

  /** The retained messages matching `pattern`, oldest first, at most `limit`; none on a channel without retention. */
  recent(pattern: string | string[] = '*', limit = 100): PubSubMessage[] {
    return this.core.recent(pattern, limit);
  }

  /**
   * The messages matching `pattern` as an rxjs Observable: each rxjs subscriber gets its own subscription
   * (same options as `subscribe`), closed on teardown. A bad pattern or bad options throw here, at once.
   */
  observe<P = unknown>(pattern: string | string[], options?: SubscribeOptions): Observable<PubSubMessage<P>> {
    return this.core.observe<P>(pattern, options);
  }

  stats(): ChannelStats {
    return this.core.stats();
  }

  /** Each durable name subscribed on this channel with its group's backlog (health, self-monitoring). */
  durableLag(): Array<{ durable: string } & DurableLag> {
    return this.core.durableLag();
  }

  /**
   * True once every mailbox of this channel is empty and idle; false if `timeoutMs` (default 5_000;
   * Infinity: no limit) passes first. An invalid timeout (NaN, negative) waits for the default, with a warning.
   */
  drain(timeoutMs?: number): Promise<boolean> {
    return this.core.drain(timeoutMs);
  }

  /** @internal Delivers a message that another node published; it never goes back out. */
  receive(message: PubSubMessage): void {
    this.core.receive(message);
  }

  /** @internal See ChannelCore.stopPublishing. */
  stopPublishing(): void {
    this.core.stopPublishing();
  }

  /** @internal See ChannelCore.close. */
  close(): number {
    return this.core.close();
  }

  get isClosed(): boolean {
    return this.core.isClosed;
  }
}
