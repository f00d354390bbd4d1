import { firstValueFrom, take, toArray } from 'rxjs';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { createChannels, waitFor } from '../../support/channels.js';

describe('channel.observe', () => {
  it('subscribes only when subscribed and delivers matching messages in order', async () => {
    const events = createChannels().channel('events');
    const stream = events.observe<{ n: number }>('orders:*');
    expect(events.stats().subscriptions).toBe(0);
    const firstThree = firstValueFrom(stream.pipe(take(3), toArray()));
    expect(events.stats().subscriptions).toBe(1);
    events.publish('orders:a', 'placed', { n: 1 });
    events.publish('other:a', 'placed', { n: 99 });
    events.publish('orders:b', 'placed', { n: 2 });
    events.publish('orders:c:d', 'placed', { n: 3 });
    const messages = await firstThree;
    expect(messages.map((m) => m.payload.n)).toEqual([1, 2, 3]);
    expect(messages[0]).toEqual(expect.objectContaining({ channel: 'events', topic: 'orders:a', type: 'placed' }));
    // take(3) completed the stream: its subscription is gone.
    expect(events.stats().subscriptions).toBe(0);
  });

  it('unsubscribes on teardown, and each rxjs subscriber has its own subscription', async () => {
    const alerts = createChannels().channel('alerts');
    const stream = alerts.observe(['a', 'b']);
    const seenByOne: PubSubMessage[] = [];
    const seenByTwo: PubSubMessage[] = [];
    const one = stream.subscribe((m) => seenByOne.push(m));
    const two = stream.subscribe((m) => seenByTwo.push(m));
    expect(alerts.stats().subscriptions).toBe(2);
    alerts.publish('a', 't');
    await waitFor(() => seenByOne.length === 1 && seenByTwo.length === 1, 'both observers');
    one.unsubscribe();
    expect(alerts.stats().subscriptions).toBe(1);
    alerts.publish('b', 't');
    await waitFor(() => seenByTwo.length === 2, 'the remaining observer');
    expect(seenByOne).toHaveLength(1);
    two.unsubscribe();
    expect(alerts.stats().subscriptions).toBe(0);
  });

  it('takes the same options as subscribe', async () => {
    const metrics = createChannels().channel('metrics');
    const seen: PubSubMessage[] = [];
    const subscription = metrics.observe('m', { mailboxSize: 1, overflow: 'drop-newest' }).subscribe((m) => seen.push(m));
    for (let i = 0; i < 3; i++) metrics.publish('m', 't', i);
    await metrics.drain(1_000);
    expect(seen.map((m) => m.payload)).toEqual([0]);
    expect(metrics.stats().dropped).toBe(2);
    subscription.unsubscribe();
  });

  it('throws at once for a bad pattern or bad options, before anything subscribes', () => {
    const events = createChannels().channel('events');
    expect(() => events.observe('a::b')).toThrow(/a::b/);
    expect(() => events.observe('a', { concurrency: 0 })).toThrow(/concurrency/);
    expect(events.stats().subscriptions).toBe(0);
  });

  it('completes open streams when the channel closes, so their consumers end', async () => {
    const channels = createChannels();
    const events = channels.channel('events');
    const all = firstValueFrom(events.observe('*').pipe(toArray()));
    events.publish('a', 't');
    await events.drain(1_000);
    channels.close();
    expect((await all).map((m) => m.topic)).toEqual(['a']);
  });

  it('errors the stream when subscribed after the channel closed', async () => {
    const channels = createChannels();
    const stream = channels.channel('events').observe('*');
    channels.close();
    await expect(firstValueFrom(stream)).rejects.toThrow(/closed/);
  });
});
