import { spawnSync } from 'node:child_process';
import { busChannel } from '../../libs/pubsub/src/transport/redis-bus.js';
import { craftFrame } from '../conformance/security-conformance.js';
import { redisCliBinary } from '../support/redis-server.js';
import { describeWithRedis } from './support/describe-with-redis.js';
import type { NodeProcess } from './support/node-process.js';
import { channelStats, crossProcessEnvironment, until, type NodeStats, type SubscriptionState } from './support/cross-process-env.js';

describeWithRedis('Redis transport across processes', () => {
  const env = crossProcessEnvironment();
  const SECRET = 'cross-process-secret';

  const subscription = (node: NodeProcess, name: string) => node.request<SubscriptionState>('subscription', { name });

  it('broadcasts from one process to the other, both ways, and lists both nodes', async () => {
    const [a, b] = await Promise.all([env.spawn('proc-a', { secret: SECRET }), env.spawn('proc-b', { secret: SECRET })]);
    for (const node of [a, b]) await node.request('subscribe', { name: 'orders', channel: 'events', pattern: 'orders:*' });
    await until(
      () => a.request<NodeStats>('stats'),
      (s) => s.nodes.length === 2,
      5_000,
      'proc-a to see proc-b',
    );
    await a.request('burst', { channel: 'events', topic: 'orders:created', count: 10 });
    await b.request('burst', { channel: 'events', topic: 'orders:paid', count: 5 });
    const onB = await until(
      () => subscription(b, 'orders'),
      (s) => s.count >= 15,
      5_000,
      'proc-b to receive 15',
    );
    const onA = await until(
      () => subscription(a, 'orders'),
      (s) => s.count >= 15,
      5_000,
      'proc-a to receive 15',
    );
    expect(onB.last).toEqual({ 'proc-a': 9, 'proc-b': 4 });
    expect(onA.last).toEqual({ 'proc-a': 9, 'proc-b': 4 });
    expect(onB.samples.find((m) => m.node === 'proc-a')).toMatchObject({ topic: 'orders:created', type: 'burst', payload: { n: 0 } });
    expect((await a.request<NodeStats>('stats')).nodes).toEqual(['proc-a', 'proc-b']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await subscription(a, 'orders')).count).toBe(15); // own messages exactly once
  });

  it('keeps local: true in its process', async () => {
    const [a, b] = await Promise.all([env.spawn('proc-a'), env.spawn('proc-b')]);
    for (const node of [a, b]) await node.request('subscribe', { name: 'scope', channel: 'events', pattern: 'scope:*' });
    await until(
      () => a.request<NodeStats>('stats'),
      (s) => s.nodes.length === 2,
      5_000,
      'discovery',
    );
    await a.request('burst', { channel: 'events', topic: 'scope:local', count: 7, local: true });
    await a.request('burst', { channel: 'events', topic: 'scope:shared', count: 3 });
    await until(
      () => subscription(b, 'scope'),
      (s) => s.count >= 3,
      5_000,
      'shared messages on proc-b',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await subscription(b, 'scope')).count).toBe(3);
    expect((await subscription(a, 'scope')).count).toBe(10);
  });

  it('announces a graceful close at once and drops a killed process after nodeTimeoutMs', async () => {
    const config = { heartbeatIntervalMs: 100, nodeTimeoutMs: 800 };
    const [a, b, c] = await Promise.all(['proc-a', 'proc-b', 'proc-c'].map((name) => env.spawn(name, config)));
    await a.request('subscribe', { name: 'membership', channel: 'lifecycle', pattern: 'cluster_membership' });
    await until(
      () => a.request<NodeStats>('stats'),
      (s) => s.nodes.length === 3,
      5_000,
      'three nodes',
    );
    await b.close();
    const left = await until(
      () => a.request<NodeStats>('stats'),
      (s) => s.nodes.length === 2,
      600,
      'the graceful leave',
    );
    expect(left.nodes).toEqual(['proc-a', 'proc-c']);
    await c.kill();
    const dropped = await until(
      () => a.request<NodeStats>('stats'),
      (s) => s.nodes.length === 1,
      5_000,
      'the killed node to be dropped',
    );
    expect(dropped.nodes).toEqual(['proc-a']);
    const events = (await subscription(a, 'membership')).samples.map((m) => [m.payload.event, m.payload.affectedNodes[0]]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['node_removed', 'proc-b'],
        ['node_removed', 'proc-c'],
      ]),
    );
    const logs = await a.request<string[]>('logs');
    expect(logs.some((line) => line.includes('node_failure') || line.includes("Node 'proc-c' stopped responding"))).toBe(true);
  });

  it('rejects and reports forged messages injected with redis-cli PUBLISH', async () => {
    const cli = redisCliBinary();
    if (cli === undefined) throw new Error('redis-cli is missing (it comes with the redis-server package)');
    const [a, b] = await Promise.all([env.spawn('proc-a', { secret: SECRET }), env.spawn('proc-b', { secret: SECRET })]);
    await b.request('subscribe', { name: 'orders', channel: 'events', pattern: 'orders:*' });
    await b.request('subscribe', { name: 'violations', channel: 'security', pattern: 'access_violations' });
    await until(
      () => b.request<NodeStats>('stats'),
      (s) => s.nodes.length === 2,
      5_000,
      'discovery',
    );
    const forged = [
      craftFrame('guessed-key', 'proc-a', 'aaaaaaaaaaaa', [{ message: { payload: { n: 1, forged: true } }, seq: 1 }]),
      JSON.stringify({
        id: 'x1',
        channel: 'events',
        topic: 'orders:created',
        type: 'order_created',
        payload: { n: 2 },
        timestamp: Date.now(),
        node: 'proc-a',
      }),
      'garbage that is not JSON',
    ];
    for (const text of forged) {
      const run = spawnSync(cli, ['-h', '127.0.0.1', '-p', String(env.server.port), 'PUBLISH', busChannel(env.prefix), text], {
        encoding: 'utf8',
        timeout: 5_000,
      });
      expect(run.status).toBe(0);
      expect(Number(run.stdout.trim())).toBeGreaterThanOrEqual(2); // both processes were listening
    }
    const violations = await until(
      () => subscription(b, 'violations'),
      (s) => s.count >= 3,
      5_000,
      'three access violations',
    );
    expect(violations.samples.map((m) => m.payload.metadata.error).sort()).toEqual([
      'invalid_format',
      'invalid_signature',
      'unsecured_message_rejected',
    ]);
    expect(violations.samples.every((m) => m.type === 'access_violation' && m.payload.violationType === 'invalid_signature')).toBe(true);
    await a.request('burst', { channel: 'events', topic: 'orders:created', count: 1 });
    const orders = await until(
      () => subscription(b, 'orders'),
      (s) => s.count >= 1,
      5_000,
      'the genuine message',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await subscription(b, 'orders')).count).toBe(1);
    expect(orders.samples[0].payload.forged).toBeUndefined();
    const stats = await b.request<NodeStats>('stats');
    expect(channelStats(stats, 'events').failedPublications).toBe(2);
    expect(channelStats(stats, 'security').failedPublications).toBe(1);
    const logs = await b.request<string[]>('logs');
    expect(logs.filter((line) => line.startsWith('warn:') && line.includes('Rejected a wire frame')).length).toBe(3);
  });
});
