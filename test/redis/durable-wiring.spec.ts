import { randomBytes } from 'node:crypto';
import type { PubSubMessage } from '../../libs/pubsub/src/channels/channel.types.js';
import { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import { MemoryHub } from '../../libs/pubsub/src/transport/memory-hub.js';
import { waitFor } from '../support/channels.js';
import { useCoreNodes } from './support/core-nodes.js';
import { describeWithRedis } from './support/describe-with-redis.js';
import { groupCreated } from './support/stream-groups.js';

const SECRET = 'durable-wiring-secret-0123456789';

describeWithRedis('durable backend chosen by the transport', () => {
  const { node, url } = useCoreNodes(SECRET);

  it('with Redis, durable subscriptions of two nodes share the stream (each message once) while live ones get every message over the bus', async () => {
    const cluster = { prefix: `wiring-${randomBytes(4).toString('hex')}` };
    const [a, b, publisher] = [await node('a', cluster), await node('b', cluster), await node('p', cluster)];
    expect([a, b, publisher].map((set) => set.hooks.durable?.kind)).toEqual(['redis', 'redis', 'redis']);
    const durable: PubSubMessage[] = [];
    const live: PubSubMessage[] = [];
    a.channel('audit').subscribe('audit:*', (m) => void durable.push(m), { durable: 'archiver' });
    b.channel('audit').subscribe('audit:*', (m) => void durable.push(m), { durable: 'archiver' });
    a.channel('audit').subscribe('audit:*', (m) => void live.push(m));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the group is created, the nodes see each other
    for (let i = 0; i < 200; i++) expect(publisher.channel('audit').publish(`audit:${i}`, 'recorded', { i }).ok).toBe(true);
    await waitFor(() => durable.length >= 200 && live.length >= 200, 'durable and live deliveries', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(new Set(durable.map((m) => m.id)).size).toBe(200);
    expect(durable).toHaveLength(200);
    expect(live).toHaveLength(200);
    expect(durable.every((m) => m.node === 'p' && m.deliveryCount === 1)).toBe(true);
  });

  it('a durable subscription made before the transport starts gets its group once it does, and every message after', async () => {
    const cluster = { prefix: `wiring-${randomBytes(4).toString('hex')}` };
    const durable: PubSubMessage[] = [];
    await node('early', cluster, silentLogger, undefined, (channels) =>
      channels.channel('audit').subscribe('audit:*', (m) => void durable.push(m), { durable: 'early-writer' }),
    );
    await groupCreated(url(), cluster.prefix, 'audit', 'early-writer');
    const publisher = await node('p', cluster);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the nodes see each other
    for (let i = 0; i < 50; i++) expect(publisher.channel('audit').publish(`audit:${i}`, 'recorded', { i }).ok).toBe(true);
    await waitFor(() => durable.length >= 50, 'durable deliveries to the early subscription', 10_000);
    expect(durable.map((m) => (m.payload as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('without Redis (alone, or on a memory hub), durable subscriptions stay in memory', async () => {
    const hub = new MemoryHub();
    const alone = new ChannelSet({ nodeName: 'alone', logger: silentLogger });
    expect(alone.hooks.durable?.kind).toBe('memory');
    alone.close();
    const member = await node('m', { memoryHub: hub });
    expect(member.hooks.durable?.kind).toBe('memory');
    const got: unknown[] = [];
    member.channel('audit').subscribe('audit:*', (m) => void got.push(m.payload), { durable: 'w' });
    member.channel('audit').publish('audit:1', 'recorded', 1);
    await waitFor(() => got.length === 1, 'memory durable delivery');
  });
});
