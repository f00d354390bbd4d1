import { PubSubError, type PubSubMessage } from '@gater/pubsub';
import { createChannels, waitFor } from '../../support/channels.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';

const payloads = (messages: PubSubMessage[]): unknown[] => messages.map((m) => m.payload);
const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);

describe('retention, recent() and replay', () => {
  it('audit, alerts and security keep messages by default; other channels keep none', () => {
    const set = createChannels();
    for (const name of ['audit', 'alerts', 'security', 'events'] as const) set.channel(name).publish('a:1', 't', name);
    expect(payloads(set.channel('audit').recent())).toEqual(['audit']);
    expect(payloads(set.channel('alerts').recent())).toEqual(['alerts']);
    expect(payloads(set.channel('security').recent())).toEqual(['security']);
    expect(set.channel('events').recent()).toEqual([]);
    expect(set.channel('audit').stats().retained).toBe(1);
    expect(set.channel('events').stats().retained).toBe(0);
  });

  it('channels.<name>.retention bounds what is kept; recent filters by pattern and limit, oldest first', () => {
    const set = createChannels({ defaults: { events: { retention: { maxMessages: 5 } } } });
    const events = set.channel('events');
    for (const n of range(8)) events.publish(n % 2 === 0 ? `even:${n}` : `odd:${n}`, 't', n);
    expect(payloads(events.recent())).toEqual([4, 5, 6, 7, 8]);
    expect(payloads(events.recent('even:*'))).toEqual([4, 6, 8]);
    expect(payloads(events.recent(['odd:*'], 1))).toEqual([7]);
    expect(events.stats().retained).toBe(5);
    expect(() => events.recent('a:#')).toThrow(PubSubError);
    expect(() => events.recent('*', -1)).toThrow(/limit must be a non-negative integer/);
  });

  it('keeps messages received from other nodes too, so recent() answers on every node', () => {
    const set = createChannels();
    const remote: PubSubMessage = {
      id: 'r1',
      channel: 'audit',
      topic: 'x:1',
      type: 't',
      payload: 'remote',
      timestamp: Date.now(),
      node: 'other',
    };
    set.channel('audit').receive(remote);
    expect(set.channel('audit').recent()).toEqual([remote]);
  });

  it('replay by count, sinceMs and sinceId, then live, in order', async () => {
    const set = createChannels();
    const audit = set.channel('audit');
    const ids = range(5).map((n) => {
      const r = audit.publish('a:1', 't', n);
      return r.ok ? r.id : '';
    });
    const byCount: unknown[] = [];
    const bySince: unknown[] = [];
    const byTime: unknown[] = [];
    audit.subscribe('a:*', (m) => void byCount.push(m.payload), { replay: 2 });
    audit.subscribe('a:*', (m) => void bySince.push(m.payload), { replay: { sinceId: ids[2] } });
    audit.subscribe('a:*', (m) => void byTime.push(m.payload), { replay: { sinceMs: 0 } });
    audit.publish('a:1', 't', 6);
    await waitFor(() => byCount.length === 3 && bySince.length === 3 && byTime.length === 6, 'replayed then live');
    expect(byCount).toEqual([4, 5, 6]);
    expect(bySince).toEqual([4, 5, 6]);
    expect(byTime).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('no gap and no duplicate at the seam while publications race the subscribe', async () => {
    const set = createChannels();
    const audit = set.channel('audit');
    let published = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        for (let i = 0; i < 50; i++) audit.publish('race:1', 't', ++published);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const seen: number[][] = [];
    for (let s = 0; s < 20; s++) {
      await new Promise((resolve) => setImmediate(resolve));
      const got: number[] = [];
      seen.push(got);
      audit.subscribe('race:*', (m) => void got.push(m.payload as number), { replay: { sinceMs: 0 } });
    }
    publishing = false;
    await publisher;
    await set.drain(5_000);
    for (const got of seen) expect(got).toEqual(range(published));
  });

  it('replay or durable on a channel without retention fails at subscribe, naming the channel and the option', () => {
    const set = createChannels();
    expect(() => set.channel('events').subscribe('*', () => undefined, { replay: 10 })).toThrow(
      /replay on channel 'events' needs retention.*channels\.events\.retention/,
    );
    expect(() => set.channel('events').subscribe('*', () => undefined, { durable: 'worker' })).toThrow(
      /durable: 'worker' on channel 'events' needs retention/,
    );
    expect(() => set.channel('audit').subscribe('*', () => undefined, { replay: -1 })).toThrow(/replay must be/);
    expect(() => set.channel('audit').subscribe('*', () => undefined, { replay: { sinceId: '' } })).toThrow(/replay must be/);
    expect(() => set.channel('audit').subscribe('*', () => undefined, { durable: '' })).toThrow(/durable must be a non-empty string/);
    expect(() => set.channel('audit').subscribe('*', () => undefined, { ackTimeoutMs: 10 })).toThrow(
      /ackTimeoutMs applies only to durable/,
    );
    // The retry backoff applies to every subscription (API.md SubscribeOptions), no longer to durable ones only.
    expect(set.channel('audit').subscribe('*', () => undefined, { retryDelayMs: 10 }).closed).toBe(false);
    expect(() => set.channel('audit').subscribe('*', () => undefined, { replay: 1, maxDeliveries: 2 })).toThrow(
      /maxDeliveries applies only/,
    );
    expect(() => set.channel('audit').subscribe('*', () => undefined, { durable: 'w', maxDeliveries: 0 })).toThrow(/maxDeliveries must be/);
    expect(() => set.channel('audit').subscribe('*', () => undefined, { durable: 'w', retryDelayMs: -1 })).toThrow(/retryDelayMs must be/);
    expect(() => set.channel('audit').observe('*', { replay: 'all' as never })).toThrow(/replay must be/);
  });

  it('retention is validated at start-up', () => {
    expect(() => resolvePubSubSettings({ channels: { events: { retention: { maxMessages: 0 } } } }, {})).toThrow(
      /channels\.events\.retention\.maxMessages/,
    );
    expect(() => resolvePubSubSettings({ channels: { events: { retention: 5 as never } } }, {})).toThrow(
      /channels\.events\.retention must be an object/,
    );
    const settings = resolvePubSubSettings({ channels: { events: { retention: { maxAgeMs: 1_000 } } } }, {});
    expect(settings.channels.events.retention).toMatchObject({ maxMessages: 10_000, maxAgeMs: 1_000 });
  });

  it('observe() replays too', async () => {
    const set = createChannels();
    set.channel('alerts').publish('a:1', 't', 1);
    const got: unknown[] = [];
    const sub = set
      .channel('alerts')
      .observe('a:*', { replay: 5 })
      .subscribe((m) => got.push(m.payload));
    set.channel('alerts').publish('a:1', 't', 2);
    await waitFor(() => got.length === 2, 'observe replay');
    expect(got).toEqual([1, 2]);
    sub.unsubscribe();
  });
});
