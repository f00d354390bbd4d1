import type { OverflowPolicy, PubSubMessage } from '@gater/pubsub';
import { Inbox } from '../../support/pubsub-app.js';
import { createChannels, deferred, waitFor } from '../../support/channels.js';

// A publication skips the per-subscription bound while no mailbox can be full, and a subscription's own count of
// the deliveries waiting for it in the channel's queue is only taken when something needs it. These are the
// moments something does, or might read a stale figure: each must see exactly what per-mailbox counting showed.

const payloads = (messages: PubSubMessage[]): unknown[] => messages.map((m) => m.payload);
const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);

describe('delivery: depth of deliveries waiting in the publication queue', () => {
  // A small mailbox on another topic lowers the channel's smallest bound, so that the same publications take
  // the per-subscription admission from the third on: both paths must report the same figures.
  it.each([
    ['no mailbox near its bound', false],
    ['a small mailbox elsewhere on the channel', true],
  ])('stats read from a handler mid-run count exactly the deliveries still waiting (%s)', async (_case, small) => {
    const set = createChannels();
    const events = set.channel('events');
    if (small) events.subscribe('elsewhere', () => undefined, { mailboxSize: 2 });
    const seen: Array<{ depth: number; delivered: number }> = [];
    events.subscribe('f', () => undefined);
    events.subscribe('f', () => {
      const { mailboxDepth, delivered } = events.stats();
      seen.push({ depth: mailboxDepth, delivered });
    });
    events.subscribe('f', () => undefined);
    for (const n of range(4)) events.publish('f', 't', n);
    expect(events.stats().mailboxDepth).toBe(12);
    expect(await set.drain(1_000)).toBe(true);
    // The second subscription's call on publication k: the third's delivery of k and three of each later one wait.
    expect(seen).toEqual([
      { depth: 10, delivered: 1 },
      { depth: 7, delivered: 4 },
      { depth: 4, delivered: 7 },
      { depth: 1, delivered: 10 },
    ]);
    expect(events.stats()).toMatchObject({ delivered: 12, mailboxDepth: 0, dropped: 0 });
  });

  it('a handler unsubscribing another subscription mid-run discards exactly what waited for it', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const first = new Inbox();
    const third = new Inbox();
    const second: number[] = [];
    const depthAfterUnsubscribe: number[] = [];
    events.subscribe('f', first.handler);
    events.subscribe('f', (m) => {
      second.push(m.payload as number);
      if (m.payload === 2) {
        victim.unsubscribe();
        depthAfterUnsubscribe.push(events.stats().mailboxDepth);
      }
    });
    const victim = events.subscribe('f', third.handler);
    for (const n of range(5)) events.publish('f', 't', n);
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(first.messages)).toEqual(range(5));
    expect(second).toEqual(range(5));
    expect(payloads(third.messages)).toEqual([1]);
    // Publications 3 to 5, for the two subscriptions left.
    expect(depthAfterUnsubscribe).toEqual([6]);
    expect(events.stats()).toMatchObject({ delivered: 11, subscriptions: 2, mailboxDepth: 0, dropped: 0 });
    // Once the queue is empty again, later publications are counted as before.
    for (const n of range(3, 6)) events.publish('f', 't', n);
    expect(events.stats().mailboxDepth).toBe(6);
    expect(await set.drain(1_000)).toBe(true);
    expect(events.stats()).toMatchObject({ delivered: 17, mailboxDepth: 0 });
  });

  it('unsubscribing before the queue ran discards that subscription’s waiting deliveries, and drain still ends', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const kept = new Inbox();
    events.subscribe('f', kept.handler);
    const gone = events.subscribe('f', () => undefined);
    for (const n of range(4)) events.publish('f', 't', n);
    expect(events.stats().mailboxDepth).toBe(8);
    gone.unsubscribe();
    expect(events.stats().mailboxDepth).toBe(4);
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(kept.messages)).toEqual(range(4));
    expect(events.stats()).toMatchObject({ delivered: 4, mailboxDepth: 0 });
  });

  it('shutdown counts every delivery still waiting in the queue as dropped', () => {
    const set = createChannels();
    const events = set.channel('events');
    for (let i = 0; i < 3; i++) events.subscribe('f', () => undefined);
    for (const n of range(5)) events.publish('f', 't', n);
    expect(events.close()).toBe(15);
    expect(events.stats()).toMatchObject({ dropped: 15, mailboxDepth: 0 });
  });

  it.each<[OverflowPolicy, number[]]>([
    ['drop-oldest', [1, 4, 5, 6]],
    ['drop-newest', [1, 2, 3, 4]],
  ])(
    'a subscription that falls behind mid-publication keeps its order, and %s applies to its backlog plus the queue',
    async (overflow, expected) => {
      const set = createChannels();
      const events = set.channel('events');
      const before = new Inbox();
      const after = new Inbox();
      const slow: number[] = [];
      const release = deferred();
      events.subscribe('f', before.handler);
      events.subscribe(
        'f',
        async (m) => {
          slow.push(m.payload as number);
          if (m.payload === 1) await release.promise;
        },
        { mailboxSize: 3, overflow },
      );
      events.subscribe('f', after.handler);
      for (const n of range(3)) events.publish('f', 't', n);
      await after.until(3);
      // The slow subscription's call on 1 is in flight; 2 and 3 reached its turn behind it and wait in its backlog.
      expect(events.stats()).toMatchObject({ delivered: 6, mailboxDepth: 2, dropped: 0 });
      for (const n of range(3, 4)) events.publish('f', 't', n);
      // 4 fits (2 + 1 waiting), 5 and 6 each find it full.
      expect(events.stats()).toMatchObject({ dropped: 2, mailboxDepth: 3 + 3 + 3 });
      release.resolve();
      expect(await set.drain(1_000)).toBe(true);
      expect(slow).toEqual(expected);
      expect(payloads(before.messages)).toEqual(range(6));
      expect(payloads(after.messages)).toEqual(range(6));
      expect(events.stats()).toMatchObject({ delivered: 16, dropped: 2, mailboxDepth: 0 });
    },
  );

  it('the bound of a subscription that left stops applying, that of one still there does not', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const smallest = events.subscribe('f', () => undefined, { mailboxSize: 2 });
    const small = new Inbox();
    events.subscribe('f', small.handler, { mailboxSize: 3 });
    const large = new Inbox();
    events.subscribe('f', large.handler);
    smallest.unsubscribe();
    for (const n of range(5)) events.publish('f', 't', n);
    expect(events.stats()).toMatchObject({ dropped: 2, mailboxDepth: 3 + 5 });
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(small.messages)).toEqual([3, 4, 5]);
    expect(payloads(large.messages)).toEqual(range(5));
  });

  it('a full mailbox reached while deliveries wait uncounted drops exactly as many as per-mailbox counting did', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const bounded = new Inbox();
    const other = new Inbox();
    events.subscribe('f', other.handler);
    events.subscribe('f', bounded.handler, { mailboxSize: 100 });
    for (const n of range(250)) events.publish('f', 't', n);
    expect(events.stats()).toMatchObject({ dropped: 150, mailboxDepth: 100 + 250 });
    await waitFor(() => other.messages.length === 250, 'all deliveries to the unbounded subscription');
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(bounded.messages)).toEqual(range(100, 151));
    expect(events.stats()).toMatchObject({ delivered: 350, dropped: 150, mailboxDepth: 0 });
  });
});

describe('delivery: latency samples of one publication to several subscriptions', () => {
  it('times each call on its own: a slow handler’s time is not counted again in the next subscription’s call', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const busyFor = (ms: number): void => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    events.subscribe('f', () => undefined);
    events.subscribe('f', () => busyFor(50));
    events.subscribe('f', () => undefined);
    events.publish('f', 't', 1);
    expect(await set.drain(5_000)).toBe(true);
    // Below FULLY_TIMED_CALLS in the interval, every call is timed: three samples, one of them slow.
    const snapshot = events.counters.latency.takeSnapshot();
    expect(snapshot.count).toBe(3);
    expect(snapshot.max).toBeGreaterThanOrEqual(50);
    expect(snapshot.p50).toBeLessThan(50);
  });
});
