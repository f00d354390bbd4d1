import { Redis } from 'ioredis';
import { describeWithRedis } from './support/describe-with-redis.js';
import { channelStats, crossProcessEnvironment, until, type NodeStats, type SubscriptionState } from './support/cross-process-env.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The burst a blocked subscriber misses part of: ~34 MB, far more than its output-buffer limit below. */
const CUT_BURST = 120_000;

describeWithRedis('Redis transport under bursts and restarts (separate processes)', () => {
  const env = crossProcessEnvironment();
  const SECRET = 'burst-secret';

  it('delivers a burst of 100,000 messages from one process whole and in order', async () => {
    const [a, b] = await Promise.all([env.spawn('proc-a', { secret: SECRET }), env.spawn('proc-b', { secret: SECRET })]);
    await b.request('subscribe', { name: 'burst', channel: 'events', pattern: 'burst:*', mailboxSize: 200_000 });
    await until(
      () => a.request<NodeStats>('stats'),
      (s) => s.nodes.length === 2,
      5_000,
      'discovery',
    );
    const started = Date.now();
    const sent = await a.request<{ ok: number }>('burst', { channel: 'events', topic: 'burst:health', count: 100_000 });
    expect(sent.ok).toBe(100_000);
    const received = await until(
      () => b.request<SubscriptionState>('subscription', { name: 'burst' }),
      (s) => s.count >= 100_000,
      45_000,
      '100,000 messages',
    );
    const elapsed = Date.now() - started;
    console.log(`100,000-message burst across processes: ${elapsed} ms (${Math.round(100_000 / (elapsed / 1_000))} msg/s)`);
    await sleep(100);
    expect((await b.request<SubscriptionState>('subscription', { name: 'burst' })).count).toBe(100_000);
    expect(received.outOfOrder).toBe(0);
    expect(received.last['proc-a']).toBe(99_999);
    const [statsA, statsB] = await Promise.all([a.request<NodeStats>('stats'), b.request<NodeStats>('stats')]);
    expect(channelStats(statsA, 'events')).toMatchObject({ published: 100_000, failedPublications: 0 });
    expect(channelStats(statsB, 'events')).toMatchObject({ lost: 0, dropped: 0, failedPublications: 0 });
  }, 60_000);

  it('accounts for every message when Redis is killed and restarted mid-stream, and recovers by itself', async () => {
    const config = { secret: SECRET, heartbeatIntervalMs: 200, nodeTimeoutMs: 5_000 };
    const [a, b] = await Promise.all([env.spawn('proc-a', config), env.spawn('proc-b', config)]);
    await b.request('subscribe', { name: 'stream', channel: 'events', pattern: 'stream:*', mailboxSize: 100_000 });
    await until(
      () => a.request<NodeStats>('stats'),
      (s) => s.nodes.length === 2,
      5_000,
      'discovery',
    );

    const streaming = a.request<{ published: number; ok: number }>('stream', {
      channel: 'events',
      topic: 'stream:health',
      rate: 2_000,
      durationMs: 3_000,
    });
    await sleep(1_000);
    await env.server.kill();
    await sleep(500);
    await env.server.launch();
    const { published, ok } = await streaming;
    expect(ok).toBe(published);

    // Honest accounting: everything published is delivered, or counted as lost (receiver) or failed (sender).
    const account = async () => {
      const [statsA, statsB, sub] = await Promise.all([
        a.request<NodeStats>('stats'),
        b.request<NodeStats>('stats'),
        b.request<SubscriptionState>('subscription', { name: 'stream' }),
      ]);
      return {
        delivered: sub.count,
        lost: channelStats(statsB, 'events').lost,
        failed: channelStats(statsA, 'events').failedPublications,
        sub,
      };
    };
    const settled = await until(
      account,
      (x) => x.delivered + x.lost + x.failed >= published,
      15_000,
      `all ${published} messages accounted for`,
    );
    console.log(
      `Redis restart mid-stream: published ${published}, delivered ${settled.delivered}, lost ${settled.lost}, failed ${settled.failed}`,
    );
    expect(settled.delivered + settled.lost + settled.failed).toBe(published);
    expect(settled.sub.outOfOrder).toBe(0);
    expect(settled.delivered).toBeGreaterThan(published * 0.9);

    for (const node of [a, b]) {
      const logs = (await node.request<string[]>('logs')).join('\n');
      expect(logs).toMatch(/Transport down/);
      expect(logs).toMatch(/Transport back/);
    }
    // Both sides resubscribed by themselves: new traffic flows.
    await a.request('burst', { channel: 'events', topic: 'stream:after', count: 10 });
    await until(
      () => b.request<SubscriptionState>('subscription', { name: 'stream' }),
      (s) => s.count >= settled.delivered + 10,
      5_000,
      'traffic after the restart',
    );
  }, 60_000);

  it('notices when Redis cuts a slow subscriber at its output-buffer limit, reconnects, and counts what it missed as lost', async () => {
    const admin = new Redis(env.server.url, { maxRetriesPerRequest: 1 });
    // A node's one connection also carries its publishing and the echo of its own frames: the limit must stay above
    // what its frames in flight can hold (32 of at most 512 KB), or the publisher is cut too; the burst is far above it.
    await admin.config('SET', 'client-output-buffer-limit', 'pubsub 24mb 12mb 1');
    try {
      const config = { secret: SECRET, heartbeatIntervalMs: 200, nodeTimeoutMs: 10_000 };
      const [a, b] = await Promise.all([env.spawn('proc-a', config), env.spawn('proc-b', config)]);
      await b.request('subscribe', { name: 'cut', channel: 'events', pattern: 'cut:*', mailboxSize: 100_000 });
      await until(
        () => a.request<NodeStats>('stats'),
        (s) => s.nodes.length === 2,
        5_000,
        'discovery',
      );
      const blocked = b.request('block', { ms: 4_000 }); // proc-b stops reading its sockets
      await sleep(100);
      await a.request('burst', { channel: 'events', topic: 'cut:burst', count: CUT_BURST });
      await blocked;
      await until(
        () => b.request<string[]>('logs'),
        (logs) => logs.some((line) => line.includes('Transport back')),
        10_000,
        'proc-b to reconnect',
      );
      await sleep(300);
      // Numbered on from the cut burst: its last frames may legitimately arrive after the reconnect.
      await a.request('burst', { channel: 'events', topic: 'cut:after', count: 10, from: CUT_BURST });
      const account = async () => {
        const [stats, sub] = await Promise.all([
          b.request<NodeStats>('stats'),
          b.request<SubscriptionState>('subscription', { name: 'cut' }),
        ]);
        return { delivered: sub.count, lost: channelStats(stats, 'events').lost, sub };
      };
      const settled = await until(
        account,
        (x) => x.delivered + x.lost >= CUT_BURST + 10,
        10_000,
        'every message delivered or counted lost',
      );
      console.log(`Subscriber cut at the output-buffer limit: delivered ${settled.delivered}, lost ${settled.lost} of ${CUT_BURST + 10}`);
      expect(settled.delivered + settled.lost).toBe(CUT_BURST + 10);
      expect(settled.lost).toBeGreaterThan(0); // the cut really happened, and was counted
      expect(settled.sub.outOfOrder).toBe(0);
      const logs = (await b.request<string[]>('logs')).join('\n');
      expect(logs).toMatch(/Transport down/);
      expect(logs).toMatch(/subscriber connection/i);
    } finally {
      await admin.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60').catch(() => undefined);
      admin.disconnect();
    }
  }, 60_000);
});
