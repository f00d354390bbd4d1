import type { Channel, PubSubMessage } from '@gater/pubsub';
import type { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import { FULLY_TIMED_CALLS } from '../../libs/pubsub/src/delivery/latency-histogram.js';

/** A mailbox bound no test here reaches. */
export const ROOMY = { mailboxSize: 100_000 };

/** 1..n (or from..from+n-1). */
export const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);

/**
 * Batches never hold a publication whose calls are timed, and the first FULLY_TIMED_CALLS calls of an interval
 * all are: a channel that has made that many calls is in the state a running application's channels are in,
 * and its publications with one route are served as batches (PublicationQueue.serveBatch).
 */
export async function warmed(set: ChannelSet, name: 'events' | 'metrics' = 'events'): Promise<Channel> {
  const channel = set.channel(name);
  // Kept: an unsubscribe makes the queue count its targets' deliveries until it next empties.
  channel.subscribe('warm-up', () => undefined);
  for (let i = 0; i <= FULLY_TIMED_CALLS; i++) channel.publish('warm-up', 'warm_up', i);
  if (!(await set.drain(5_000))) throw new Error(`the warm-up of '${name}' did not drain`);
  return channel;
}

/** Whether subscription `a` had a later message before `b` had an earlier one: a batch served them (payloads 1..n). */
export function servedAsBatches(log: ReadonlyArray<readonly [number, number]>, a: number, b: number, n: number): boolean {
  const firstOf = (index: number, payload: number) => log.findIndex(([i, m]) => i === index && m === payload);
  for (let m = 1; m < n; m++) {
    const later = firstOf(a, m + 1);
    if (later !== -1 && later < firstOf(b, m)) return true;
  }
  return false;
}

/** The payloads subscription `index` logged, in call order (see `logged`). */
export const of = (log: ReadonlyArray<readonly [number, number]>, index: number): number[] =>
  log.filter(([i]) => i === index).map(([, n]) => n);

/** Subscriptions on `topic` that log (subscription index, payload) in call order. */
export function logged(
  channel: Channel,
  topic: string,
  count: number,
  log: Array<[number, number]>,
  extra?: (index: number, n: number) => void,
) {
  return range(count, 0).map((index) =>
    channel.subscribe(
      topic,
      (m: PubSubMessage) => {
        log.push([index, m.payload as number]);
        extra?.(index, m.payload as number);
      },
      ROOMY,
    ),
  );
}
