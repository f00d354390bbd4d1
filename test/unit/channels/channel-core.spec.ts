import { CHANNEL_NAMES, EventsChannel, HealthChannel } from '@gater/pubsub';
import { ChannelCore } from '../../../libs/pubsub/src/channels/channel-core.js';
import { Inbox } from '../../support/pubsub-app.js';
import { createChannels } from '../../support/channels.js';

// The README's Benchmarks: the ten injectable classes give V8 ten object shapes, so the publish path must run on
// one class behind them, whatever channels an application uses.
describe('ChannelCore behind the ten channel classes', () => {
  it('every channel, whatever its class, runs on one ChannelCore with the same fields in the same order', () => {
    const set = createChannels();
    const cores = CHANNEL_NAMES.map((name) => set.channel(name).core);
    for (const core of cores) expect(Object.getPrototypeOf(core)).toBe(ChannelCore.prototype);
    const fields = Object.keys(cores[0]);
    for (const core of cores) expect(Object.keys(core)).toEqual(fields);
    expect(set.channel('events')).toBeInstanceOf(EventsChannel);
    expect(set.channel('health')).toBeInstanceOf(HealthChannel);
  });

  it('what the channel class is called with reaches its core, and reads the same counters', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const inbox = new Inbox();
    const subscription = events.subscribe('a:*', inbox.handler);
    expect(events.publish('a:b', 'typed', { n: 1 })).toMatchObject({ ok: true });
    expect(events.publish('a:b', { type: 'shaped', payload: { n: 2 } })).toMatchObject({ ok: true });
    expect(await events.drain(1_000)).toBe(true);
    expect(inbox.messages.map((m) => [m.type, m.payload])).toEqual([
      ['typed', { n: 1 }],
      ['shaped', { n: 2 }],
    ]);
    expect(events.stats()).toEqual(events.core.stats());
    expect(events.stats()).toMatchObject({ published: 2, delivered: 2, subscriptions: 1 });
    subscription.unsubscribe();
    expect(events.core.stats().subscriptions).toBe(0);
    expect(events.counters).toBe(events.core.counters);
  });
});
