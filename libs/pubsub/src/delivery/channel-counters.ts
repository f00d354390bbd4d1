import type { ChannelName } from '../channels/channel-names.js';
import { LatencyHistogram } from './latency-histogram.js';

export type CounterName = 'published' | 'delivered' | 'failedPublications' | 'handlerErrors' | 'dropped' | 'lost';

/** Told of every counted event: the self-monitoring alert rules listen here. */
export type CounterListener = (channel: ChannelName, counter: CounterName, amount: number) => void;

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
  outstanding = 0;
  /** Handler call durations, read and reset by the metrics broadcaster. */
  readonly latency = new LatencyHistogram();
  listener: CounterListener | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly channel: ChannelName) {}

  count(counter: CounterName, amount = 1): void {
    this[counter] += amount;
    this.listener?.(this.channel, counter, amount);
  }

  begin(): void {
    this.outstanding++;
  }

  finish(): void {
    if (--this.outstanding === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves once nothing is outstanding; the caller bounds it with a timeout. */
  whenIdle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
