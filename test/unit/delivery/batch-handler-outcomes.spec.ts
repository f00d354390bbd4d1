import type { Channel, PubSubMessage, Subscription } from '@gater/pubsub';
import type { Mailbox } from '../../../libs/pubsub/src/delivery/mailbox.js';
import { createChannels, RecordingLogger } from '../../support/channels.js';
import { Inbox } from '../../support/pubsub-app.js';
import { ROOMY, logged, of, range, servedAsBatches, warmed } from '../../support/warmed-channel.js';

// In a batch, a subscription's handler is called from the batch's own loop (Mailbox.deliverBatch) while it has
// no backlog, a free slot, no retry and no publishAndWait following it, and through the single-delivery path
// otherwise. Whatever a handler does there (throw, return a promise, unsubscribe, read its depth) must come
// out as one delivery at a time gave: each subscription's order, its concurrency, retries before later
// messages, dead letters, and exact counts.

const PUBLISHED = 200;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const deadPayloads = (inbox: Inbox): unknown[] => inbox.messages.map((m) => (m.payload as { message: PubSubMessage }).message.payload);

async function channelWithWitness() {
  const logger = new RecordingLogger();
  const set = createChannels({ logger });
  const events = await warmed(set);
  const deadLetters = new Inbox();
  set.channel('diagnostics').subscribe('dead_letter:events', deadLetters.handler);
  const before = events.stats();
  // Subscribed before the subject: a batch hands it every message before the subject gets any.
  const log: Array<[number, number]> = [];
  logged(events, 'f', 1, log);
  return { set, events, logger, deadLetters, before, log };
}

const publishAll = (events: { publish(topic: string, type: string, payload: number): unknown }, n = PUBLISHED) => {
  for (const payload of range(n)) events.publish('f', 't', payload);
};

/** An async subscriber at `concurrency` that records what it saw and how many calls ran at once; rejects on `rejectOn`. */
function asyncSubscriber(events: Channel, concurrency: number, rejectOn?: number) {
  const seen: number[] = [];
  let running = 0;
  let most = 0;
  events.subscribe(
    'f',
    async (m: PubSubMessage) => {
      running++;
      most = Math.max(most, running);
      seen.push(m.payload as number);
      await tick();
      running--;
      if (m.payload === rejectOn) throw new Error('rejected');
    },
    { ...ROOMY, concurrency },
  );
  return { seen, most: () => most };
}

describe('delivery: what a handler does inside a batch', () => {
  it('a synchronous throw is counted, logged and dead-lettered; the batch goes on in order', async () => {
    const { set, events, logger, deadLetters, before, log } = await channelWithWitness();
    const calls: number[] = [];
    events.subscribe(
      'f',
      (m: PubSubMessage) => {
        calls.push(m.payload as number);
        if ((m.payload as number) % 50 === 0) throw new Error(`failed on ${String(m.payload)}`);
      },
      ROOMY,
    );
    publishAll(events);
    expect(await set.drain(5_000)).toBe(true);
    expect(calls).toEqual(range(PUBLISHED));
    expect(of(log, 0)).toEqual(range(PUBLISHED));
    expect(log.length).toBe(PUBLISHED);
    const stats = events.stats();
    expect(stats.handlerErrors - before.handlerErrors).toBe(4);
    expect(stats.delivered - before.delivered).toBe(2 * PUBLISHED - 4);
    expect(stats.mailboxDepth).toBe(0);
    expect(deadPayloads(deadLetters)).toEqual([50, 100, 150, 200]);
    expect(logger.errors.some((e) => e.message.includes('failed on 50'))).toBe(true);
  });

  it('a throw with retries at once: the retry runs before the later messages, then a dead letter', async () => {
    const { set, events, deadLetters, before } = await channelWithWitness();
    const calls: number[] = [];
    const attempts = new Map<number, number>();
    events.subscribe(
      'f',
      (m: PubSubMessage) => {
        const n = m.payload as number;
        calls.push(n);
        attempts.set(n, (attempts.get(n) ?? 0) + 1);
        if ((n === 60 && attempts.get(n)! < 3) || n === 120) throw new Error(`failed on ${n}`);
      },
      { ...ROOMY, retries: 2, retryDelayMs: 0 },
    );
    publishAll(events);
    expect(await set.drain(5_000)).toBe(true);
    expect(calls).toEqual([...range(60), 60, 60, ...range(60, 61), 120, 120, ...range(80, 121)]);
    const stats = events.stats();
    expect(stats.handlerErrors - before.handlerErrors).toBe(5);
    expect(stats.delivered - before.delivered).toBe(2 * PUBLISHED - 1);
    expect(stats.mailboxDepth).toBe(0);
    expect(deadPayloads(deadLetters)).toEqual([120]);
  });

  it('a retry waiting out its backoff holds the later messages of the batch back, in order', async () => {
    const { set, events, deadLetters, before, log } = await channelWithWitness();
    const calls: number[] = [];
    let failed = false;
    events.subscribe(
      'f',
      (m: PubSubMessage) => {
        calls.push(m.payload as number);
        if (m.payload === 40 && !failed) {
          failed = true;
          throw new Error('failed once');
        }
      },
      { ...ROOMY, retries: 1, retryDelayMs: 5 },
    );
    publishAll(events);
    expect(await set.drain(5_000)).toBe(true);
    expect(calls).toEqual([...range(40), ...range(161, 40)]);
    // The witness was not held back by the subject's retry.
    expect(of(log, 0)).toEqual(range(PUBLISHED));
    expect(events.stats().delivered - before.delivered).toBe(2 * PUBLISHED);
    expect(deadLetters.messages).toEqual([]);
  });

  it('an async handler at concurrency 1: later messages wait in its backlog, one call at a time, in order', async () => {
    const { set, events, before, log } = await channelWithWitness();
    const { seen, most } = asyncSubscriber(events, 1);
    publishAll(events);
    expect(await set.drain(5_000)).toBe(true);
    expect(most()).toBe(1);
    expect(seen).toEqual(range(PUBLISHED));
    expect(of(log, 0)).toEqual(range(PUBLISHED));
    expect(events.stats()).toMatchObject({ mailboxDepth: 0, delivered: before.delivered + 2 * PUBLISHED });
  });

  it('an async handler at concurrency 4: at most 4 calls at once, each message once, a rejection dead-lettered', async () => {
    const { set, events, deadLetters, before } = await channelWithWitness();
    const { seen, most } = asyncSubscriber(events, 4, 100);
    publishAll(events);
    expect(await set.drain(5_000)).toBe(true);
    expect(most()).toBe(4);
    expect(seen).toEqual(range(PUBLISHED));
    const stats = events.stats();
    expect(stats.handlerErrors - before.handlerErrors).toBe(1);
    expect(stats.delivered - before.delivered).toBe(2 * PUBLISHED - 1);
    expect(deadPayloads(deadLetters)).toEqual([100]);
  });

  it('a handler unsubscribing its own subscription mid-batch is not called again', async () => {
    const { set, events, log } = await channelWithWitness();
    const calls: number[] = [];
    const subscriptions = events.stats().subscriptions;
    const subscription: Subscription = events.subscribe(
      'f',
      (m: PubSubMessage) => {
        calls.push(m.payload as number);
        if (m.payload === 50) subscription.unsubscribe();
      },
      ROOMY,
    );
    publishAll(events);
    expect(await set.drain(5_000)).toBe(true);
    expect(calls).toEqual(range(50));
    expect(of(log, 0)).toEqual(range(PUBLISHED));
    expect(events.stats()).toMatchObject({ mailboxDepth: 0, subscriptions });
  });

  it('a handler reading its own depth mid-batch sees exactly the messages still waiting for it', async () => {
    const { set, events } = await channelWithWitness();
    const wrong: string[] = [];
    // Mailbox.depth (internal, what stats() sums while the queue counts): its first read makes the queue count.
    const subscription = events.subscribe(
      'f',
      (m: PubSubMessage) => {
        const depth = subscription.depth;
        if (depth !== PUBLISHED - (m.payload as number)) wrong.push(`at ${String(m.payload)}: ${depth}`);
      },
      ROOMY,
    ) as Mailbox;
    publishAll(events);
    expect(await set.drain(5_000)).toBe(true);
    expect(wrong).toEqual([]);
    expect(subscription.depth).toBe(0);
  });

  it('publishAndWait amid batches counts its own deliveries, and each subscription keeps its order', async () => {
    const set = createChannels();
    const events = await warmed(set);
    const log: Array<[number, number]> = [];
    logged(events, 'f', 3, log);
    publishAll(events, 150);
    const waited = events.publishAndWait('f', 't', 151);
    for (const n of range(149, 152)) events.publish('f', 't', n);
    await expect(waited).resolves.toMatchObject({ ok: true, delivered: 3, failed: 0, timedOut: 0 });
    expect(await set.drain(5_000)).toBe(true);
    for (const index of [0, 1, 2]) expect(of(log, index)).toEqual(range(300));
    expect(servedAsBatches(log, 0, 1, 300)).toBe(true);
  });
});
