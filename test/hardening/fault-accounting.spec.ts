import { Redis } from 'ioredis';
import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import {
  channelStats,
  crossProcessEnvironment,
  until,
  type NodeStats,
  type SubscriptionState,
} from '../redis/support/cross-process-env.js';
import type { NodeProcess } from '../redis/support/node-process.js';
import { recordAccounting, recordFigure } from './support/figures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SECRET = 'fault-accounting-secret';
const CONFIG = { secret: SECRET, heartbeatIntervalMs: 200, nodeTimeoutMs: 10_000 };

interface Account {
  delivered: number;
  counted: number;
  detail: string;
}

/**
 * What became of the messages `sender` published on events `fault:*`: delivered to the receiver's
 * subscription, or counted somewhere (the sender's failedPublications, the receiver's lost and dropped).
 */
async function account(sender: NodeProcess, receiver: NodeProcess): Promise<Account> {
  const [from, to, subscription] = await Promise.all([
    sender.request<NodeStats>('stats'),
    receiver.request<NodeStats>('stats'),
    receiver.request<SubscriptionState>('subscription', { name: 'fault' }),
  ]);
  const failed = channelStats(from, 'events').failedPublications;
  const { lost, dropped } = channelStats(to, 'events');
  return {
    delivered: subscription.count,
    counted: failed + lost + dropped,
    detail: `failedPublications ${failed}, lost ${lost}, dropped ${dropped}, out of order ${subscription.outOfOrder}`,
  };
}

describeWithRedis('fault accounting: every message sent is delivered or counted', () => {
  const env = crossProcessEnvironment();

  async function pair(): Promise<[NodeProcess, NodeProcess]> {
    const [sender, receiver] = await Promise.all([env.spawn('fault-sender', CONFIG), env.spawn('fault-receiver', CONFIG)]);
    await receiver.request('subscribe', { name: 'fault', channel: 'events', pattern: 'fault:*', mailboxSize: 100_000 });
    await until(
      () => sender.request<NodeStats>('stats'),
      (s) => s.nodes.length === 2,
      5_000,
      'discovery',
    );
    return [sender, receiver];
  }

  /** Streams 2,000 messages/s for 3 s, applies `fault` 1 s in, and checks sent = delivered + counted. */
  async function streamThrough(fault: string, apply: () => Promise<void>): Promise<NodeProcess[]> {
    const [sender, receiver] = await pair();
    const streaming = sender.request<{ published: number; ok: number }>('stream', {
      channel: 'events',
      topic: 'fault:stream',
      rate: 2_000,
      durationMs: 3_000,
    });
    await sleep(1_000);
    await apply();
    const { published: sent } = await streaming;
    const settled = await until(
      () => account(sender, receiver),
      (a) => a.delivered + a.counted >= sent,
      20_000,
      `all ${sent} messages accounted for`,
    );
    console.log(`${fault}: sent ${sent}, delivered ${settled.delivered}, counted ${settled.counted} (${settled.detail})`);
    recordAccounting(fault, { sent, delivered: settled.delivered, counted: settled.counted });
    recordFigure('faults survived');
    expect(settled.delivered + settled.counted).toBe(sent);
    expect(settled.detail).toMatch(/out of order 0$/);
    return [sender, receiver];
  }

  it('Redis killed mid-stream and started again', async () => {
    await streamThrough('Redis killed mid-stream', async () => {
      await env.server.kill();
      await sleep(500);
      await env.server.launch();
    });
  }, 60_000);

  it('Redis frozen (SIGSTOP) for 2 s mid-stream, then thawed', async () => {
    const nodes = await streamThrough('Redis frozen mid-stream', async () => {
      env.server.freeze();
      await sleep(2_000);
      env.server.thaw();
    });
    // Noticed as an outage by both, and over by itself.
    for (const node of nodes) {
      const logs = (await node.request<string[]>('logs')).join('\n');
      expect(logs).toMatch(/Transport down: .*not answering/);
      expect(logs).toMatch(/Transport back/);
      expect(logs).not.toMatch(/stopped responding/);
    }
  }, 60_000);

  it('Redis restarted mid-stream after 1.5 s down', async () => {
    await streamThrough('Redis restarted mid-stream', () => env.server.restart(1_500));
  }, 60_000);

  it('receiver cut off by Redis at its output-buffer limit during a burst', async () => {
    const admin = new Redis(env.server.url, { maxRetriesPerRequest: 1 });
    // Above what a node's frames in flight hold (32 of at most 512 KB): its one connection also publishes and
    // hears its own frames, so a lower limit cuts the sender too. The burst (~34 MB) is far above it.
    await admin.config('SET', 'client-output-buffer-limit', 'pubsub 24mb 12mb 1');
    try {
      const [sender, receiver] = await pair();
      const blocked = receiver.request('block', { ms: 4_000 }); // the receiver stops reading its socket
      await sleep(100);
      const { published: sent } = await sender.request<{ published: number }>('burst', {
        channel: 'events',
        topic: 'fault:burst',
        count: 120_000,
      });
      await blocked;
      // Something after the cut, so the receiver learns (from the sequence numbers) what it missed.
      await until(
        () => receiver.request<NodeStats>('stats'),
        (s) => s.nodes.length === 2,
        10_000,
        'the receiver back',
      );
      const settled = await until(
        () => account(sender, receiver),
        (a) => a.delivered + a.counted >= sent,
        20_000,
        `all ${sent} messages accounted for`,
      );
      console.log(`receiver cut off: sent ${sent}, delivered ${settled.delivered}, counted ${settled.counted} (${settled.detail})`);
      recordAccounting('receiver cut off', { sent, delivered: settled.delivered, counted: settled.counted });
      recordFigure('faults survived');
      expect(settled.delivered + settled.counted).toBe(sent);
      expect(settled.counted).toBeGreaterThan(0);
    } finally {
      await admin.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60').catch(() => undefined);
      admin.disconnect();
    }
  }, 60_000);
});
