import type { Mailbox } from '../delivery/mailbox.js';
import type { ChannelCounters } from '../delivery/channel-counters.js';
import type { DurableLag, RetentionPolicy } from '../durable/durable-backend.js';
import { DurableSubscription, type DurableHost, type DurableSettings } from '../durable/durable-subscription.js';
import type { ReplaySelector } from '../durable/replay-selector.js';
import { RetentionLog, topicFilterOf } from '../durable/retention-log.js';
import type { ChannelHooks } from './channel-context.js';
import type { ChannelName } from './channel-names.js';
import type { MessageHandler, PubSubMessage } from './channel.types.js';
import { durableWaitKey } from './publish-waits.js';

/**
 * What a channel with retention keeps on this node: the log behind recent() and replay, and its durable
 * subscriptions. A channel without retention has none of this, so its publish path pays one undefined check.
 */
export class ChannelRetention {
  readonly log: RetentionLog;
  private readonly durables = new Set<DurableSubscription>();
  /** Every durable name subscribed here, running or not: their groups keep filling while nobody reads. */
  private readonly durableNames = new Set<string>();
  /** Publications of this node that never left it (`local`): never part of a stream's history. */
  private readonly localOnly = new WeakSet<PubSubMessage>();

  constructor(
    policy: RetentionPolicy,
    private readonly channel: ChannelName,
    private readonly hooks: Pick<ChannelHooks, 'durable'>,
  ) {
    this.log = new RetentionLog(policy);
  }

  /** Durable subscriptions open on this node. */
  get subscriptions(): number {
    return this.durables.size;
  }

  /** Durable deliveries handed to this node's members and not yet acknowledged. */
  get pending(): number {
    let pending = 0;
    for (const durable of this.durables) pending += durable.pending;
    return pending;
  }

  /** An accepted publication: local ones are kept for recent() and replay here only; the others also go to the durable backend. */
  retain(message: PubSubMessage, local: boolean): void {
    this.log.append(message);
    if (local) this.localOnly.add(message);
    else this.hooks.durable.append(message, this.log.policy);
  }

  /** Whether a retained message was published here with `local` (other nodes never saw it). */
  isLocalOnly(message: PubSubMessage): boolean {
    return this.localOnly.has(message);
  }

  /** A message from another node: kept on every node, so recent() and replay answer the same wherever they are asked. */
  receive(message: PubSubMessage): void {
    this.log.append(message);
  }

  subscribeDurable(
    id: string,
    patterns: string[],
    handler: MessageHandler,
    settings: DurableSettings,
    host: DurableHost,
  ): DurableSubscription {
    const durable = new DurableSubscription(id, patterns, handler, settings, host, this.hooks.durable);
    this.durables.add(durable);
    this.durableNames.add(settings.durable);
    return durable;
  }

  release(subscription: DurableSubscription): void {
    this.durables.delete(subscription);
  }

  /**
   * Puts the retained messages `selector` picks into a mailbox that was just created. Subscribing is synchronous:
   * what the log holds now was routed before this mailbox existed, and whatever is published from here on reaches
   * it live, after the replayed messages. No gap, no duplicate.
   */
  replayInto(mailbox: Mailbox, selector: ReplaySelector, counters: ChannelCounters): void {
    for (const message of this.log.replay(topicFilterOf(mailbox.patterns), selector)) {
      if (!mailbox.admit(message)) continue;
      counters.begin();
      mailbox.backlog(message, true);
    }
  }

  recent(patterns: readonly string[], limit: number): PubSubMessage[] {
    return this.log.recent(topicFilterOf(patterns), limit);
  }

  /** The durable groups a publication on `topic` reaches through members running here (publishAndWait). */
  durableWaitKeys(topic: string, local: boolean): string[] {
    const backend = this.hooks.durable;
    // Local publications never reach a backend with a store of its own (Redis Streams); memory groups read this log.
    if (local && backend.kind !== 'memory') return [];
    const keys = new Set<string>();
    for (const durable of this.durables) {
      if (!durable.closed && topicFilterOf(durable.patterns)(topic)) keys.add(durableWaitKey(durable.settings.durable));
    }
    return [...keys];
  }

  /** Each durable name subscribed on this channel with its group's backlog (health, self-monitoring). */
  lag(): Array<{ durable: string } & DurableLag> {
    const backend = this.hooks.durable;
    return [...this.durableNames].map((durable) => ({ durable, ...backend.lag(this.channel, durable) }));
  }

  /** Shutdown: no durable handler runs again; returns how many taken deliveries were discarded. */
  abandon(): number {
    let discarded = 0;
    for (const durable of this.durables) discarded += durable.abandon();
    return discarded;
  }
}
