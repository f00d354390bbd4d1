import type { PubSubMessage } from '@gater/pubsub';
import { createChannels } from '../../support/channels.js';

// In a burst (thousands of publications waiting) the publication queue keeps each publication's id and parts and
// builds its message only when its turn comes. Whatever a subscriber or the stats can see must be what a message
// built at publish showed: the same fields, ids and order, one message object shared by a publication's
// subscriptions (even when a turn ends in the middle of them), bounds and their policies, unsubscribe, shutdown.

const BURST = 20_000;
/** Room for the whole burst: the default bound (10,000) would drop part of it. */
const ROOMY = { mailboxSize: 100_000 };
const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);

describe('delivery: publications drafted in a burst', () => {
  it('deliver every message as published: fields, ids, order, one object per publication', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const received: PubSubMessage[][] = [[], [], []];
    for (const inbox of received) events.subscribe('burst:*', (m) => void inbox.push(m), ROOMY);
    const before = Date.now();
    const ids: string[] = [];
    for (const n of range(BURST)) {
      // Runs of one topic and alternations, so that consecutive publications share their parts or do not.
      const topic = n % 1000 < 500 ? 'burst:same' : `burst:t${n % 2}`;
      const result = events.publish(topic, 'burst_event', { n });
      if (!result.ok) throw new Error(result.error);
      ids.push(result.id);
    }
    expect(events.stats().mailboxDepth).toBe(3 * BURST);
    expect(await set.drain(10_000)).toBe(true);
    const after = Date.now();
    for (const inbox of received) {
      expect(inbox.map((m) => (m.payload as { n: number }).n)).toEqual(range(BURST));
      expect(inbox.map((m) => m.id)).toEqual(ids);
    }
    for (let i = 0; i < BURST; i++) {
      const message = received[0][i];
      // Three subscriptions of one publication: a turn of 256 deliveries ends inside some of them.
      expect(received[1][i]).toBe(message);
      expect(received[2][i]).toBe(message);
    }
    const last = received[0][BURST - 1];
    expect(Object.getPrototypeOf(last)).toBe(Object.prototype);
    expect(Object.keys(last)).toEqual(['id', 'channel', 'topic', 'type', 'payload', 'timestamp', 'node']);
    expect(last).toMatchObject({ channel: 'events', topic: 'burst:same', type: 'burst_event', payload: { n: BURST }, node: 'test-node' });
    expect(received[0][BURST - 2].topic).toBe('burst:t1');
    for (const m of received[0]) {
      expect(m.timestamp).toBeGreaterThanOrEqual(before);
      expect(m.timestamp).toBeLessThanOrEqual(after);
    }
    expect(events.stats()).toMatchObject({ published: BURST, delivered: 3 * BURST, dropped: 0, mailboxDepth: 0 });
    set.close();
  });

  it.each([
    ['drop-oldest', range(8_000, 4_001)],
    ['drop-newest', range(8_000)],
  ] as const)('a bound reached in a burst applies %s to drafted publications, and counts the drops', async (overflow, kept) => {
    const set = createChannels();
    const events = set.channel('events');
    const bounded: number[] = [];
    const unbounded: number[] = [];
    events.subscribe('b', (m) => void bounded.push(m.payload as number), { mailboxSize: 8_000, overflow });
    events.subscribe('b', (m) => void unbounded.push(m.payload as number), { mailboxSize: 100_000 });
    for (const n of range(12_000)) events.publish('b', 't', n);
    expect(events.stats()).toMatchObject({ dropped: 4_000, mailboxDepth: 20_000 });
    expect(await set.drain(10_000)).toBe(true);
    expect(bounded).toEqual(kept);
    expect(unbounded).toEqual(range(12_000));
    expect(events.stats()).toMatchObject({ published: 12_000, delivered: 20_000, dropped: 4_000, mailboxDepth: 0 });
    set.close();
  });

  it('unsubscribe from a handler discards the drafted deliveries still waiting for that subscription', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const second: number[] = [];
    let depthAfter = -1;
    events.subscribe(
      'u',
      (m) => {
        if (m.payload === 100) {
          victim.unsubscribe();
          depthAfter = events.stats().mailboxDepth;
        }
      },
      ROOMY,
    );
    const victim = events.subscribe('u', (m) => void second.push(m.payload as number), ROOMY);
    for (const n of range(BURST)) events.publish('u', 't', n);
    expect(await set.drain(10_000)).toBe(true);
    expect(second).toEqual(range(99));
    // After the first subscription's call on publication 100: its deliveries of 101.. still wait, the victim's went.
    expect(depthAfter).toBe(BURST - 100);
    expect(events.stats()).toMatchObject({ delivered: BURST + 99, dropped: 0, mailboxDepth: 0, subscriptions: 1 });
    set.close();
  });

  it('publishAndWait in the middle of a burst counts its own deliveries, and order holds around it', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const seen: number[] = [];
    events.subscribe('w', (m) => void seen.push(m.payload as number), ROOMY);
    events.subscribe('w', () => undefined, ROOMY);
    for (const n of range(10_000)) events.publish('w', 't', n);
    const waited = events.publishAndWait('w', 't', 10_001);
    for (const n of range(10_000, 10_002)) events.publish('w', 't', n);
    await expect(waited).resolves.toMatchObject({ ok: true, delivered: 2, failed: 0, timedOut: 0 });
    expect(await set.drain(10_000)).toBe(true);
    expect(seen).toEqual(range(20_001));
    set.close();
  });

  it('shutdown with drafted publications waiting discards and counts them, and runs no handler after', async () => {
    const set = createChannels();
    const events = set.channel('events');
    let calls = 0;
    events.subscribe('s', () => void calls++, ROOMY);
    events.subscribe('s', () => void calls++, ROOMY);
    for (const n of range(BURST)) events.publish('s', 't', n);
    set.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(0);
    expect(events.stats()).toMatchObject({ published: BURST, delivered: 0, dropped: 2 * BURST });
  });
});
