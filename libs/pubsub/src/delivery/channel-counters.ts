import type { ChannelName } from '../vocabulary/channel-names.js';
import { startDeadline } from './drain-timeout.js';
import { LatencyHistogram } from './latency-histogram.js';

export type CounterName = 'published' | 'delivered' | 'failedPublications' | 'handlerErrors' | 'dropped' | 'lost';

/**
 * Told of every counted event except successful deliveries, which no alert rule watches and which are the
 * hottest path: the self-monitoring alert rules listen here. Publications are reported in batches: the
 * listener's answer to a 'published' report is how many publications it can let pass before the next one
 * (a rate needs the clock only now and then, a threshold only when it is near), so a publication alone costs
 * a counter increment and a comparison.
 */
export type CounterListener = (channel: ChannelName, counter: CounterName, amount: number) => number | void;

/** Without a listener, publications are never reported. */
const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * The counters of one channel, plus `outstanding`: messages enqueued whose delivery has not finished yet,
 * which lets `drain()` wait for an event instead of scanning every mailbox.
 */
export class ChannelCounters {
  published = 0;
  delivered = 0;
  failedPublications = 0;
  handlerErrors = 0;
  dropped = 0;
  lost = 0;
  /** Durable deliveries acknowledged (handled, or dead-lettered after maxDeliveries). */
  acked = 0;
  /** Durable handler calls past the first delivery of a message (retries and redeliveries). */
  redelivered = 0;
  outstanding = 0;
  /**
   * Messages in the subscriptions' own backlogs, all together: no single backlog is longer, which lets a
   * publication skip the per-subscription bound (see Channel.route).
   */
  backlogged = 0;
  /** failedPublications by reason (refusal reasons, 'not_sent', inbound rejection errors): a small, fixed set. */
  readonly failuresByReason = new Map<string, number>();
  /** Handler call durations, read and reset by the metrics broadcaster. */
  readonly latency = new LatencyHistogram();
  private listener: CounterListener | undefined;
  private unreportedPublications = 0;
  private reportPublicationsAt = NEVER;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly channel: ChannelName) {}

  count(counter: CounterName, amount = 1): void {
    this[counter] += amount;
    this.listener?.(this.channel, counter, amount);
  }

  countFailure(reason: string, amount = 1): void {
    this.failuresByReason.set(reason, (this.failuresByReason.get(reason) ?? 0) + amount);
    this.count('failedPublications', amount);
  }

  // The two per-message counters get their own monomorphic increments: a keyed `this[counter]` update on
  // every message measurably slows the bus.
  countPublished(): void {
    this.published++;
    if (++this.unreportedPublications >= this.reportPublicationsAt) this.reportPublications();
  }

  listen(listener: CounterListener | undefined): void {
    this.listener = listener;
    this.unreportedPublications = 0;
    this.reportPublicationsAt = listener === undefined ? NEVER : 1;
  }

  private reportPublications(): void {
    const amount = this.unreportedPublications;
    this.unreportedPublications = 0;
    const quiet = this.listener?.(this.channel, 'published', amount);
    if (this.listener !== undefined) this.reportPublicationsAt = typeof quiet === 'number' && quiet > 1 ? quiet : 1;
  }

  countDelivered(): void {
    this.delivered++;
  }

  countAcked(): void {
    this.acked++;
  }

  countRedelivered(): void {
    this.redelivered++;
  }

  begin(deliveries = 1): void {
    this.outstanding += deliveries;
  }

  finish(): void {
    if (--this.outstanding === 0 && this.idleWaiters.length > 0) this.wakeIdle();
  }

  /**
   * `deliveries` handled and finished at once: the synchronous handler calls of one publication's turn, which
   * its queue counts together (see PublicationQueue.run) rather than each call counting twice on its own.
   */
  countDeliveredAll(deliveries: number): void {
    this.delivered += deliveries;
    this.outstanding -= deliveries;
    if (this.outstanding === 0 && this.idleWaiters.length > 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * True once nothing is outstanding, false when `timeoutMs` passes first (the waiter is then forgotten).
   * `timeoutMs` is a valid drain timeout (see drainTimeoutOf): Infinity waits for as long as it takes.
   */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.outstanding === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        cancel();
        resolve(true);
      };
      const cancel = startDeadline(timeoutMs, () => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== wake);
        resolve(false);
      });
      this.idleWaiters.push(wake);
    });
  }
}
