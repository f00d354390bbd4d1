import type { PubSubMessage } from '@gater/pubsub';
import { ChannelCounters } from '../../../libs/pubsub/src/delivery/channel-counters.js';
import { FULLY_TIMED_CALLS } from '../../../libs/pubsub/src/delivery/latency-histogram.js';
import { PublicationQueue } from '../../../libs/pubsub/src/delivery/publication-queue.js';
import type { BatchProgress } from '../../../libs/pubsub/src/delivery/delivery-target.js';
import { DeliveryScheduler } from '../../../libs/pubsub/src/delivery/delivery-scheduler.js';
import { createChannels } from '../../support/channels.js';
import { ROOMY, logged, of, range, servedAsBatches, warmed } from '../../support/warmed-channel.js';

// Consecutive publications with one route are served as a batch, subscription by subscription: each subscription
// gets the batch's messages in order before the next one gets any. Only the interleaving across subscriptions
// changes; each subscription's order, the counts, the depth a handler reads, unsubscribe, bounds and spills,
// shutdown and a run ended by an exception must be what one publication at a time gave.

describe('delivery: publications with one route served as batches', () => {
  it('serve a batch subscription by subscription, each in publication order', async () => {
    const set = createChannels();
    const events = await warmed(set);
    const log: Array<[number, number]> = [];
    logged(events, 'f', 3, log);
    for (const n of range(300)) events.publish('f', 't', n);
    expect(await set.drain(5_000)).toBe(true);
    for (const index of [0, 1, 2]) expect(of(log, index)).toEqual(range(300));
    // The batches ran: the first subscription had a later message before the second had an earlier one.
    expect(servedAsBatches(log, 0, 1, 300)).toBe(true);
    expect(events.stats()).toMatchObject({ delivered: FULLY_TIMED_CALLS + 1 + 900, mailboxDepth: 0, dropped: 0 });
  });

  it('a handler reading the stats mid-batch sees exactly the deliveries made and those still waiting', async () => {
    const set = createChannels();
    const events = await warmed(set);
    const delivered0 = events.stats().delivered;
    const log: Array<[number, number]> = [];
    const mismatches: string[] = [];
    logged(events, 'f', 4, log, () => {
      const { mailboxDepth, delivered } = events.stats();
      // Every call so far is made (this one included) and every other one still waits; this one has not returned.
      if (mailboxDepth !== 4 * 200 - log.length || delivered - delivered0 !== log.length - 1) {
        mismatches.push(`call ${log.length}: depth ${mailboxDepth}, delivered ${delivered - delivered0}`);
      }
    });
    for (const n of range(200)) events.publish('f', 't', n);
    expect(await set.drain(5_000)).toBe(true);
    expect(mismatches).toEqual([]);
    expect(log).toHaveLength(800);
  });

  it('unsubscribing mid-batch: a later subscription gets nothing more, an earlier one already had the batch', async () => {
    const set = createChannels();
    const events = await warmed(set);
    const log: Array<[number, number]> = [];
    const subscriptions = logged(events, 'f', 3, log, (index, n) => {
      if (index === 1 && n === 50) {
        // Mid-batch: the first subscription already had this batch, the third none of it.
        expect(of(log, 0).length).toBeGreaterThan(50);
        expect(of(log, 2).length).toBeLessThan(50);
        subscriptions[2].unsubscribe();
        subscriptions[0].unsubscribe();
      }
    });
    for (const n of range(200)) events.publish('f', 't', n);
    expect(await set.drain(5_000)).toBe(true);
    const second = of(log, 1);
    expect(second).toEqual(range(200));
    // Each one's messages are a prefix of the publications, in order, and it got none after its unsubscribe.
    for (const index of [0, 2]) expect(of(log, index)).toEqual(range(of(log, index).length));
    const unsubscribedAt = log.findIndex(([i, n]) => i === 1 && n === 50);
    expect(log.slice(unsubscribedAt + 1).filter(([i]) => i !== 1)).toEqual([]);
    const stats = events.stats();
    expect(stats.delivered).toBe(FULLY_TIMED_CALLS + 1 + log.length);
    expect(stats.mailboxDepth).toBe(0);
  });

  it('a bound reached mid-batch (a handler publishing) spills the rest in order: nothing lost or handed twice', async () => {
    const set = createChannels();
    const events = await warmed(set);
    const log: Array<[number, number]> = [];
    const republished: number[] = [];
    let othersAtSpill = -1;
    // Bounds of 110 and 100 publications queued: the first subscription's republications reach every bound
    // (drop-newest) while deliveries still wait in the queue, in the middle of a batch.
    const bounded = { mailboxSize: 110, overflow: 'drop-newest' as const };
    const subscribe = (index: number) =>
      events.subscribe(
        'f',
        (m: PubSubMessage) => {
          const n = m.payload as number;
          log.push([index, n]);
          if (index === 0 && n === 80) {
            othersAtSpill = of(log, 1).length;
            for (const extra of range(100, 1_001)) if (events.publish('f', 't', extra).ok) republished.push(extra);
          }
        },
        bounded,
      );
    for (const index of [0, 1, 2]) subscribe(index);
    for (const n of range(100)) events.publish('f', 't', n);
    expect(await set.drain(5_000)).toBe(true);
    // A batch was being served: the second subscription was further behind than one publication.
    expect(othersAtSpill).toBeLessThan(79);
    expect(republished).toEqual(range(100, 1_001));
    for (const index of [0, 1, 2]) {
      const seen = of(log, index);
      expect(seen.slice(0, 100)).toEqual(range(100));
      // Each got the republications its bound let in, oldest first.
      expect(seen.slice(100)).toEqual(range(seen.length - 100, 1_001));
    }
    const stats = events.stats();
    expect(stats.dropped).toBe(3 * (100 + 100) - log.length);
    expect(stats.delivered).toBe(FULLY_TIMED_CALLS + 1 + log.length);
    expect(stats.mailboxDepth).toBe(0);
    expect(stats.dropped).toBeGreaterThan(0);
    // The counts the spill took are exact: afterwards the bounds refuse exactly what exceeds them.
    log.length = 0;
    // A small bound elsewhere on the channel: each of these publications is admitted on its subscriptions' counts.
    events.subscribe('elsewhere', () => undefined, { mailboxSize: 2 });
    for (const n of range(115, 2_001)) events.publish('f', 't', n);
    expect(await set.drain(5_000)).toBe(true);
    expect(events.stats().dropped - stats.dropped).toBe(3 * 5);
    for (const index of [0, 1, 2]) expect(of(log, index)).toEqual(range(110, 2_001));
  });

  it('a channel closed by a handler mid-batch calls no handler again and counts what it discarded', async () => {
    const set = createChannels();
    const events = await warmed(set);
    const log: Array<[number, number]> = [];
    let closedAt = -1;
    logged(events, 'f', 3, log, (index, n) => {
      if (index === 1 && n === 40) {
        closedAt = log.length;
        set.channel('events').close();
      }
    });
    for (const n of range(200)) events.publish('f', 't', n);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toHaveLength(closedAt);
    const stats = events.stats();
    expect(stats.mailboxDepth).toBe(0);
    expect(stats.delivered + stats.dropped).toBe(FULLY_TIMED_CALLS + 1 + 600);
    // The closing call returns normally and counts as delivered; the rest of the batch and the queue are dropped.
    expect(stats.dropped).toBe(600 - closedAt);
  });

  it('a run ended by an exception resumes its batch where it stopped: no delivery made twice or lost', () => {
    const counters = new ChannelCounters('events');
    for (let i = 0; i < FULLY_TIMED_CALLS; i++) counters.latency.record(0.01);
    const queue = new PublicationQueue(
      'events',
      () => undefined,
      counters,
      () => {
        throw new Error('nothing is drafted here');
      },
    );
    const log: Array<[number, number]> = [];
    let throwAt: [number, number] | undefined = [1, 30];
    const targets = range(3, 0).map((index) => ({
      deliver(message: PubSubMessage): number {
        log.push([index, message.payload as number]);
        if (throwAt !== undefined && throwAt[0] === index && throwAt[1] === message.payload) {
          throwAt = undefined;
          // What a throwing logger or counter listener does to the run (a handler's own error is caught).
          throw new Error('listener failed');
        }
        return 1;
      },
      // The contract's loop (DeliveryTarget.deliverBatch), as a subscription without a fast path would run it.
      deliverBatch(messages: readonly (PubSubMessage | undefined)[], count: number, _counted: boolean, progress: BatchProgress): number {
        const epoch = progress.epoch;
        let handed = 0;
        for (let next = progress.next; next < count; next++) {
          progress.next = next + 1;
          handed++;
          if (this.deliver(messages[next]!) !== 0) progress.succeeded++;
          if (progress.epoch !== epoch) break;
        }
        return handed;
      },
      backlog: () => undefined,
      countWaiting: () => undefined,
    }));
    for (const n of range(100)) queue.push({ payload: n } as PubSubMessage, targets);
    expect(() => queue.run(10_000, Number.POSITIVE_INFINITY)).toThrow('listener failed');
    expect(queue.deliveries).toBe(300 - log.length);
    queue.run(10_000, Number.POSITIVE_INFINITY);
    for (const index of [0, 1, 2]) expect(of(log, index)).toEqual(range(100));
    expect(queue.length).toBe(0);
    expect(queue.deliveries).toBe(0);
  });

  it('a run that threw is served again at the next turn, without another publication', async () => {
    const scheduler = new DeliveryScheduler(['events']);
    let left = 3;
    let runs = 0;
    const work = {
      channel: 'events' as const,
      queued: false,
      get runnable() {
        return left > 0;
      },
      run(): number {
        runs++;
        left--;
        if (runs === 1) throw new Error('listener failed');
        return 1;
      },
    };
    scheduler.schedule(work);
    // The turn as setImmediate runs it, called here so that its exception reaches the test instead of the process.
    const turn = (scheduler as unknown as { turn: () => void }).turn;
    expect(() => turn()).toThrow('listener failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(3);
    expect(work.queued).toBe(false);
  });

  it('a burst drafted at publish is built once per publication in a batch, ids and order as published', async () => {
    const set = createChannels();
    const events = await warmed(set);
    const received: PubSubMessage[][] = [[], [], []];
    for (const inbox of received) events.subscribe('burst:*', (m) => void inbox.push(m), ROOMY);
    const ids: string[] = [];
    for (const n of range(20_000)) {
      const result = events.publish(n % 700 < 350 ? 'burst:same' : `burst:t${n % 2}`, 'burst_event', n);
      if (!result.ok) throw new Error(result.error);
      ids.push(result.id);
    }
    expect(await set.drain(10_000)).toBe(true);
    for (const inbox of received) {
      expect(inbox.map((m) => m.payload)).toEqual(range(20_000));
      expect(inbox.map((m) => m.id)).toEqual(ids);
    }
    for (let i = 0; i < 20_000; i++) expect(received[1][i]).toBe(received[0][i]);
  });

  it('a subscriber of many topics takes their publications as one batch, in order', async () => {
    const set = createChannels();
    const events = await warmed(set);
    const seen: string[] = [];
    events.subscribe('svc:*', (m) => void seen.push(`${m.topic}#${String(m.payload)}`), ROOMY);
    const published = range(500).map((n) => `svc:t${n % 4}#${n}`);
    for (const n of range(500)) events.publish(`svc:t${n % 4}`, 't', n);
    expect(await set.drain(5_000)).toBe(true);
    expect(seen).toEqual(published);
  });
});
