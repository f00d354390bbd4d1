import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ChannelName } from '../../libs/pubsub/src/channels/channel-names.js';
import type { PubSubMessage } from '../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../libs/pubsub/src/security/pubsub-security.js';
import { busChannel } from '../../libs/pubsub/src/transport/redis-bus.js';
import { FrameCodec, frameLimit, newEpoch, WIRE_MAGIC } from '../../libs/pubsub/src/transport/wire-frame.js';
import { eventually, sleep, TestNode, type ClusterOptions } from '../conformance/cluster-harness.js';
import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { RedisServer } from '../support/redis-server.js';
import { recordFigure } from './support/figures.js';

const SECRET = 'wire-security-secret';

/** The attacker's (or, with the key, a genuine sender's) pen: frames as a node of that name and epoch writes them. */
function writer(node: string, epoch: string, key?: string) {
  const codec = new FrameCodec(node, epoch, new PubSubSecurity({ secretKeyBase: key }));
  const entry = (seq: number, payload: unknown, channel: ChannelName = 'events') =>
    codec.encodeEntry(
      {
        id: `${epoch}-${seq}-${randomBytes(3).toString('hex')}`,
        channel,
        topic: 'orders:created',
        type: 'order_created',
        payload,
        timestamp: Date.now(),
        node,
      },
      seq,
    )!;
  return {
    data: (entries: string[]) => codec.encode('d', entries),
    heartbeat: (sent: Record<string, number> = {}) => codec.encode('h', [], new Map(Object.entries(sent) as [ChannelName, number][])),
    entry,
  };
}

const epochOf = (frame: string) => frame.slice(WIRE_MAGIC.length + 1, frame.indexOf('\n'));
const fromNode = (node: string) => (frame: string) => frame.includes(`"n":${JSON.stringify(node)}`);

describeWithRedis('wire security over Redis (attacker: a raw ioredis client)', () => {
  let server: RedisServer;
  let attacker: Redis;
  const nodes: TestNode[] = [];
  const taps: Redis[] = [];
  let prefix = '';

  beforeAll(async () => {
    server = await RedisServer.start();
    attacker = new Redis(server.url, { maxRetriesPerRequest: 1 });
  }, 30_000);
  beforeEach(() => {
    prefix = `wire-${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    for (const tap of taps.splice(0)) tap.disconnect();
    await Promise.all(nodes.splice(0).map((node) => node.close().catch(() => undefined)));
  });
  afterAll(async () => {
    attacker?.disconnect();
    await server?.stop();
  });

  async function node(name: string, options: ClusterOptions = {}): Promise<TestNode> {
    const transport = { type: 'redis' as const, url: server.url, prefix, allowUnsigned: options.secret === undefined };
    const started = new TestNode(name, { heartbeatIntervalMs: 100, nodeTimeoutMs: 3_000, ...options }, { transport });
    nodes.push(started);
    await started.transport.start();
    return started;
  }

  async function pair(options: ClusterOptions = {}): Promise<[TestNode, TestNode]> {
    const a = await node('node-a', options);
    const b = await node('node-b', options);
    await eventually(
      () => a.transport.nodes().length === 2 && b.transport.nodes().length === 2,
      5_000,
      () => 'nodes did not meet',
    );
    return [a, b];
  }

  async function tap(): Promise<string[]> {
    const frames: string[] = [];
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    taps.push(client);
    client.on('message', (_channel: string, text: string) => frames.push(text));
    await client.subscribe(busChannel(prefix));
    return frames;
  }

  const inject = (text: string) => attacker.publish(busChannel(prefix), text);
  const rejected = (target: TestNode, reason: string) => (target.transport.stats().rejected as Record<string, number>)[reason] ?? 0;

  describe('replay (secret configured)', () => {
    it('10 genuine frames re-published after the receiver restarted are all replayed, and do not re-add the departed node', async () => {
      const frames = await tap();
      const [a, b] = await pair({ secret: SECRET });
      for (let i = 0; i < 5; i++) {
        expect(a.channels.channel('events').publish('orders:created', 'order_created', { i }).ok).toBe(true);
        await sleep(60);
      }
      await eventually(
        () => frames.filter(fromNode('node-a')).length >= 10,
        5_000,
        () => 'not enough frames captured',
      );
      const fromA = frames.filter(fromNode('node-a'));
      const data = fromA.filter((frame) => frame.includes('"k":"d"'));
      const captured = [...data, ...fromA.filter((frame) => !data.includes(frame))].slice(0, 10);
      expect(data.length).toBeGreaterThan(0);
      expect(captured).toHaveLength(10);

      const index = nodes.indexOf(a);
      nodes.splice(index, 1);
      await a.close();
      await eventually(
        () => b.transport.nodes().join() === 'node-b',
        3_000,
        () => 'node-a did not leave',
      );

      // The receiver that saw them: the epoch said goodbye, and every number is below its high-water mark.
      for (const frame of captured) await inject(frame);
      await eventually(
        () => rejected(b, 'replayed') === 10,
        5_000,
        () => `replayed ${rejected(b, 'replayed')}`,
      );
      expect(b.transport.nodes()).toEqual(['node-b']);

      // A receiver that restarted since: it remembers nothing, and needs nothing to refuse them.
      nodes.splice(nodes.indexOf(b), 1);
      await b.close();
      const restarted = await node('node-b', { secret: SECRET });
      const orders = restarted.inbox('events', '*');
      const membership = restarted.inbox('lifecycle', 'cluster_membership');
      const violations = restarted.inbox('security', 'access_violations');
      for (const frame of captured) await inject(frame);
      await eventually(
        () => rejected(restarted, 'replayed') === 10,
        5_000,
        () => `replayed ${rejected(restarted, 'replayed')}`,
      );
      await violations.until(1);
      await sleep(100);
      expect(orders.messages).toEqual([]);
      expect(restarted.transport.nodes()).toEqual(['node-b']);
      expect(membership.messages).toEqual([]);
      expect((violations.messages[0].payload as { metadata: { error: string } }).metadata.error).toBe('replayed');
      expect(restarted.channels.channel('events').stats().failedPublications).toBeGreaterThanOrEqual(1);
      recordFigure('forged frames rejected', 20);
    });

    it('holds above 333 frames/s: after 100,001 later frames, the first one re-published is still replayed', async () => {
      const b = await node('node-b', { secret: SECRET });
      const fast = writer('node-fast', newEpoch(), SECRET);
      const first = fast.heartbeat();
      await inject(first);
      await eventually(
        () => b.transport.nodes().includes('node-fast'),
        3_000,
        () => 'node-fast not seen',
      );
      const started = Date.now();
      const total = 100_001;
      for (let sent = 0; sent < total;) {
        const pipeline = attacker.pipeline();
        const chunk = Math.min(5_000, total - sent);
        for (let i = 0; i < chunk; i++) pipeline.publish(busChannel(prefix), fast.heartbeat());
        await pipeline.exec();
        sent += chunk;
        // Paced by the receiver, so Redis never cuts its subscriber at the output-buffer limit.
        await eventually(
          () => b.transport.stats().framesReceived >= sent + 1,
          20_000,
          () => `received ${b.transport.stats().framesReceived} of ${sent + 1}`,
        );
      }
      const rate = Math.round((total * 1_000) / (Date.now() - started));
      console.log(`${total} frames at ${rate} frames/s, then the first one again`);
      expect(rate).toBeGreaterThan(333);
      expect(b.transport.stats().rejected).toEqual({});
      await inject(first);
      await eventually(
        () => rejected(b, 'replayed') === 1,
        5_000,
        () => `rejected ${JSON.stringify(b.transport.stats().rejected)}`,
      );
      recordFigure('forged frames rejected', 1);
    }, 90_000);
  });

  describe('unsigned traffic cannot poison another node’s state (allowUnsigned)', () => {
    it('a forged frame with a huge sequence number in a live node’s name does not make its genuine messages duplicates', async () => {
      const frames = await tap();
      const [a, b] = await pair();
      expect(b.logs.some((line) => line.startsWith('warn:') && line.includes('not signed'))).toBe(true);
      await eventually(() => frames.some(fromNode('node-a')), 3_000);
      const forger = writer('node-a', epochOf(frames.find(fromNode('node-a'))!));
      const orders = b.inbox('events', 'orders:*', { mailboxSize: 5_000 });
      await inject(forger.data([forger.entry(1e15, { forged: true })]));
      await inject(forger.heartbeat({ events: 9e15, metrics: 9e15 }));
      await inject(forger.heartbeat({ events: 1.8e16 })); // beyond a safe integer: not even a number of the wire
      await eventually(
        () => rejected(b, 'implausible_sequence') === 2 && rejected(b, 'invalid_format') === 1,
        3_000,
        () => JSON.stringify(b.transport.stats().rejected),
      );
      for (let i = 0; i < 1_000; i++) a.channels.channel('events').publish('orders:genuine', 'order_created', i);
      await orders.until(1_000, 10_000);
      await sleep(200);
      expect(orders.messages.map((m) => m.payload)).toEqual([...Array(1_000).keys()]);
      expect(b.transport.stats()).toMatchObject({ duplicates: 0, lost: 0 });
      expect(b.channels.channel('events').stats().lost).toBe(0);
      expect(b.channels.channel('metrics').stats().lost).toBe(0);
      recordFigure('forged frames rejected', 3);
    });
  });

  describe('raw bytes are authenticated before parsing; size is limited', () => {
    it('a 10 MB forged frame is refused unread and charged once; a forged frame under the limit with 5,000 entries too', async () => {
      const [a, b] = await pair({ secret: SECRET });
      const orders = b.inbox('events', 'orders:*');
      const violations = b.inbox('security', 'access_violations');
      const forger = writer('node-a', newEpoch(), 'not-the-secret');
      const huge = forger.data(Array.from({ length: 100_000 }, (_, i) => forger.entry(i + 1, 'x'.repeat(80))));
      expect(huge.length).toBeGreaterThan(10_000_000);
      const underLimit = forger.data(Array.from({ length: 5_000 }, (_, i) => forger.entry(i + 1, 'y')));
      expect(underLimit.length).toBeLessThan(frameLimit(512 * 1024, 1_048_576));
      await inject(huge);
      await inject(underLimit);
      await eventually(
        () => rejected(b, 'too_large') === 1 && rejected(b, 'invalid_signature') === 1,
        10_000,
        () => JSON.stringify(b.transport.stats().rejected),
      );
      await violations.until(2);
      expect(b.channels.channel('events').stats().failedPublications).toBe(2);
      expect(violations.messages.map((m) => (m.payload as { metadata: { error: string } }).metadata.error).sort()).toEqual([
        'invalid_signature',
        'too_large',
      ]);
      // Still answering: the genuine node's next message arrives.
      a.channels.channel('events').publish('orders:after', 'order_created', 'after');
      await orders.until(1);
      expect(orders.messages.map((m) => m.payload)).toEqual(['after']);
      recordFigure('forged frames rejected', 2);
    }, 30_000);
  });

  describe('publish tells the truth with a remote transport', () => {
    it('refuses a message larger than maxMessageBytes (too_large) and unserialisable payloads (invalid_message); frames stay within their limit', async () => {
      const frames = await tap();
      const [a, b] = await pair({ secret: SECRET });
      const remote = b.inbox('events', 'big:*', { mailboxSize: 100 });
      const local = a.inbox('events', 'big:*', { mailboxSize: 100 });
      const events = a.channels.channel('events');
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const hostile: [string, unknown][] = [
        ['too_large', 'x'.repeat(2 * 1024 * 1024)],
        ['invalid_message', cyclic],
        ['invalid_message', { amount: 10n }],
        [
          'invalid_message',
          {
            toJSON: () => {
              throw new Error('not today');
            },
          },
        ],
      ];
      for (const [reason, payload] of hostile) {
        const result = events.publish('big:refused', 'refused', payload);
        expect(result).toMatchObject({ ok: false, reason, error: expect.any(String) });
      }
      recordFigure('hostile inputs tried', hostile.length);
      const fits = 'z'.repeat(900 * 1024);
      expect(events.publish('big:fits', 'fits', fits).ok).toBe(true);
      for (let i = 0; i < 6; i++) expect(events.publish('big:batch', 'batch', `${i}${'b'.repeat(300 * 1024)}`).ok).toBe(true);
      await remote.until(7, 10_000);
      await local.until(7);
      expect(remote.messages.map((m: PubSubMessage) => m.type)).toEqual(['fits', ...Array(6).fill('batch')]);
      expect(remote.messages[0].payload).toBe(fits);
      expect(events.stats()).toMatchObject({ published: 7, failedPublications: 4 });
      const limit = frameLimit(512 * 1024, 1_048_576);
      const data = frames.filter((frame) => fromNode('node-a')(frame) && frame.includes('"k":"d"'));
      expect(data.every((frame) => Buffer.byteLength(frame) <= limit)).toBe(true);
      expect(data.filter((frame) => frame.includes('"batch"')).every((frame) => Buffer.byteLength(frame) < 512 * 1024 + 16 * 1024)).toBe(
        true,
      );
    }, 30_000);
  });
});
