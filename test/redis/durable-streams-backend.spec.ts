import { loadIoredis } from '../../libs/pubsub/src/transport/load-ioredis.js';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import type { DurableDelivery, DurableMemberOptions } from '../../libs/pubsub/src/durable/durable-backend.js';
import type { PubSubMessage } from '../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../libs/pubsub/src/security/pubsub-security.js';
import { RedisStreamsBackend } from '../../libs/pubsub/src/transport/redis-streams/redis-streams-backend.js';
import { APPEND_ENTRIES } from '../../libs/pubsub/src/transport/redis-streams/stream-scripts.js';
import { streamReadEntries } from '../../libs/pubsub/src/transport/redis-streams/stream-replies.js';
import type { StreamClient, StreamClientConstructor } from '../../libs/pubsub/src/transport/redis-streams/stream-client.js';
import { RedisServer } from '../support/redis-server.js';
import { describeWithRedis } from './support/describe-with-redis.js';
import { PubSubManager } from '@gater/pubsub';
import { SHUTDOWN_DRAIN_TIMEOUT_MS } from '../../libs/pubsub/src/module/pubsub-lifecycle.js';
import { startRedisApp } from '../hardening/support/redis-app.js';

const SECRET = 'durable-streams-test-secret-0123456789';
const RETENTION = { maxMessages: 100_000, maxAgeMs: 3_600_000 };

function message(i: number, node = 'publisher'): PubSubMessage {
  return { id: `m-${i}`, channel: 'audit', topic: `order:${i}`, type: 'created', payload: { i }, timestamp: Date.now(), node };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithRedis('RedisStreamsBackend (durable groups over a real redis-server)', () => {
  let server: RedisServer;
  let Redis: StreamClientConstructor;
  const backends: RedisStreamsBackend[] = [];
  let prefix = '';
  let run = 0;

  beforeAll(async () => {
    server = await RedisServer.start();
    Redis = (await loadIoredis()) as unknown as StreamClientConstructor;
  });
  afterAll(async () => server.stop());
  beforeEach(() => {
    prefix = `durable-${++run}`;
  });
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((backend) => backend.close()));
  });

  async function backend(
    nodeName: string,
    extra: Partial<ConstructorParameters<typeof RedisStreamsBackend>[0]> = {},
  ): Promise<RedisStreamsBackend> {
    const created = new RedisStreamsBackend({
      url: server.url,
      prefix,
      nodeName,
      security: new PubSubSecurity({ secretKeyBase: SECRET }),
      logger: silentLogger,
      maxEntryBytes: 1_048_576,
      Redis,
      ...extra,
    });
    backends.push(created);
    await created.open(2_000);
    return created;
  }

  function member(overrides: Partial<DurableMemberOptions> & { received: DurableDelivery[]; autoAck?: boolean }): DurableMemberOptions {
    const { received, autoAck = true, ...rest } = overrides;
    return {
      channel: 'audit',
      durable: 'billing',
      patterns: ['order:*'],
      // Long: on a loaded machine a short timeout would redeliver (legitimately) in tests that are not about it.
      ackTimeoutMs: 30_000,
      capacity: () => 64,
      lost: () => undefined,
      deliver: (delivery) => {
        received.push(delivery);
        if (autoAck) delivery.ack();
      },
      ...rest,
    };
  }

  async function joined(target: RedisStreamsBackend, options: DurableMemberOptions): Promise<void> {
    target.join(options);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the group is created asynchronously
  }

  it('hands an appended message to its member at once, not only when an ack-timeout claim picks it up', async () => {
    const node = await backend('a');
    const received: DurableDelivery[] = [];
    await joined(node, member({ received }));
    node.append(message(1), RETENTION);
    await waitFor(() => received.length === 1, 3_000);
    expect(received[0].message).toMatchObject({ id: 'm-1', deliveryCount: 1, payload: { i: 1 } });
    expect(node.rejected).toBe(0);
  });

  it('delivers a burst of appended messages once each, in order, and acknowledges them', async () => {
    const node = await backend('a');
    const received: DurableDelivery[] = [];
    await joined(node, member({ received }));
    for (let i = 0; i < 5_000; i++) node.append(message(i), RETENTION);
    await waitFor(() => received.length >= 5_000, 15_000);
    expect(received.map((d) => d.message.id)).toEqual(Array.from({ length: 5_000 }, (_, i) => `m-${i}`));
    expect(received.every((d) => d.message.deliveryCount === 1 && d.message.node === 'publisher')).toBe(true);
    await waitFor(() => {
      void 0;
      return true;
    });
    const probe = new Redis(server.url, {}) as StreamClient;
    await waitFor(() => node.lag('audit', 'billing').pending === 0);
    const summary = (await probe.call('XPENDING', `${prefix}:stream:audit`, 'billing')) as [number];
    expect(summary[0]).toBe(0);
    probe.disconnect();
    expect(node.failed).toBe(0);
  });

  it('starts a new group at the end of the stream unless the member asks for replay', async () => {
    const node = await backend('a');
    for (let i = 0; i < 5; i++) node.append(message(i), RETENTION);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fresh: DurableDelivery[] = [];
    const replaying: DurableDelivery[] = [];
    await joined(node, member({ received: fresh, durable: 'fresh' }));
    await joined(node, member({ received: replaying, durable: 'replaying', replay: 2 }));
    node.append(message(5), RETENTION);
    await waitFor(() => fresh.length >= 1 && replaying.length >= 3);
    expect(fresh.map((d) => d.message.id)).toEqual(['m-5']);
    expect(replaying.map((d) => d.message.id)).toEqual(['m-3', 'm-4', 'm-5']);
  });

  it('redelivers what a consumer that died never acknowledged to another member, with deliveryCount > 1', async () => {
    const publisher = await backend('p');
    const crashed = await backend('crashed');
    const unacked: DurableDelivery[] = [];
    await joined(crashed, member({ received: unacked, autoAck: false }));
    for (let i = 0; i < 20; i++) publisher.append(message(i), RETENTION);
    await waitFor(() => unacked.length === 20);
    await crashed.close(); // gone without acknowledging: its deliveries stay in the group's pending list
    const survivor = await backend('survivor');
    const received: DurableDelivery[] = [];
    await joined(survivor, member({ received, ackTimeoutMs: 300 }));
    await waitFor(() => received.length >= 20);
    expect(new Set(received.map((d) => d.message.id)).size).toBe(20);
    expect(received.every((d) => d.message.deliveryCount >= 2)).toBe(true);
  });

  it('shares a queue group across two nodes: each message handled once', async () => {
    const publisher = await backend('p');
    const first: DurableDelivery[] = [];
    const second: DurableDelivery[] = [];
    await joined(await backend('one'), member({ received: first }));
    await joined(await backend('two'), member({ received: second, capacity: () => 4 }));
    for (let i = 0; i < 2_000; i++) publisher.append(message(i), RETENTION);
    await waitFor(() => first.length + second.length >= 2_000, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing else arrives
    const ids = [...first, ...second].map((d) => d.message.id);
    expect(ids).toHaveLength(2_000);
    expect(new Set(ids).size).toBe(2_000);
    expect(second.length).toBeGreaterThan(0);
  });

  it('never delivers forged or tampered entries, and reports each as rejected', async () => {
    const rejected: string[] = [];
    const node = await backend('a', { rejected: (_channel, error) => rejected.push(error) });
    const received: DurableDelivery[] = [];
    await joined(node, member({ received }));
    const attacker = new Redis(server.url, {}) as StreamClient;
    const key = `${prefix}:stream:audit`;
    const forger = await backend('forger', { security: new PubSubSecurity({ secretKeyBase: 'another-secret-entirely-0123456789' }) });
    forger.append(message(1, 'mallory'), RETENTION); // signed with the wrong key
    await new Promise((resolve) => setTimeout(resolve, 100));
    node.append(message(2), RETENTION);
    await waitFor(() => received.length === 1);
    const [[, fields]] = ((await attacker.call('XRANGE', key, '-', '+', 'COUNT', 2)) as [string, string[]][]).slice(1);
    const tampered = fields.map((value, i) => (i === 1 ? value.replace('"i":2', '"i":3') : value));
    await attacker.call('XADD', key, '*', ...tampered);
    await attacker.call('XADD', key, '*', 'm', 'pubsub-stream/1\n"x"\n["orders","id","order:1","t",1,null]', 's', '-');
    node.append(message(4), RETENTION);
    await waitFor(() => received.length === 2 && rejected.length === 3);
    attacker.disconnect();
    expect(received.map((d) => d.message.id)).toEqual(['m-2', 'm-4']);
    expect(rejected).toEqual(['invalid_signature', 'invalid_signature', 'unsecured_message_rejected']);
    expect(node.rejected).toBe(3);
  });

  it('counts entries trimmed before the group read them as lost', async () => {
    const node = await backend('a');
    let lost = 0;
    let open = false;
    const received: DurableDelivery[] = [];
    await joined(node, member({ received, capacity: () => (open ? 64 : 0), lost: (count) => (lost += count) }));
    for (let i = 0; i < 2_000; i++) node.append(message(i), { maxMessages: 10, maxAgeMs: 3_600_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    open = true;
    await waitFor(() => lost > 0 && received.length + lost >= 2_000, 10_000);
    expect(received.length + lost).toBe(2_000);
    expect(received.length).toBeGreaterThanOrEqual(10);
  });

  it('holds at most maxBuffered publications for a frozen Redis, counting the rest as failed', async () => {
    const failed: number[] = [];
    const node = await backend('a', { maxBuffered: 100, appendFailed: (_channel, count) => failed.push(count) });
    server.freeze();
    try {
      for (let i = 0; i < 60; i++) node.append(message(i), RETENTION);
      await new Promise((resolve) => setTimeout(resolve, 50)); // sent, never answered
      for (let i = 60; i < 150; i++) node.append(message(i), RETENTION);
      expect(node.failed).toBe(50);
      expect(failed.reduce((a, b) => a + b, 0)).toBe(50);
    } finally {
      server.thaw();
    }
    await waitFor(() => node.pendingAppends === 0);
  });

  it('closes within a bounded time while Redis is frozen', async () => {
    const node = await backend('a');
    await joined(node, member({ received: [] }));
    node.append(message(1), RETENTION);
    server.freeze();
    try {
      const started = Date.now();
      await node.close();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      server.thaw();
    }
  });

  it('keeps each stream within maxMessages: MAXLEN ~ on every XADD, then an exact trim per chunk', async () => {
    const node = await backend('a');
    const probe = new Redis(server.url, {}) as StreamClient;
    try {
      for (let i = 0; i < 1_000; i++) node.append(message(i), { maxMessages: 50, maxAgeMs: 3_600_000 });
      await waitFor(() => node.pendingAppends === 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await probe.call('XLEN', `${prefix}:stream:audit`)).toBe(50);
      const [[newest]] = (await probe.call('XREVRANGE', `${prefix}:stream:audit`, '+', '-', 'COUNT', 1)) as [string, string[]][];
      expect(newest).toMatch(/^\d+-\d+$/);
    } finally {
      probe.disconnect();
    }
  });

  it('has one consumer group per durable name, each getting every message', async () => {
    const node = await backend('a');
    const billing: DurableDelivery[] = [];
    const archive: DurableDelivery[] = [];
    await joined(node, member({ received: billing, durable: 'billing' }));
    await joined(node, member({ received: archive, durable: 'archive' }));
    for (let i = 0; i < 100; i++) node.append(message(i), RETENTION);
    await waitFor(() => billing.length === 100 && archive.length === 100);
    const probe = new Redis(server.url, {}) as StreamClient;
    const groups = (await probe.call('XINFO', 'GROUPS', `${prefix}:stream:audit`)) as unknown[][];
    probe.disconnect();
    expect(groups.map((group) => group[group.indexOf('name') + 1]).sort()).toEqual(['archive', 'billing']);
  });

  it('takes over a delivery left unacknowledged by a live member after ackTimeoutMs (XAUTOCLAIM), not before, counting it', async () => {
    const node = await backend('a');
    const received: DurableDelivery[] = [];
    const at: number[] = [];
    await joined(
      node,
      member({
        received,
        autoAck: false,
        ackTimeoutMs: 400,
        deliver: (delivery) => {
          received.push(delivery);
          at.push(Date.now());
          if (delivery.message.deliveryCount > 1) delivery.ack();
        },
      }),
    );
    node.append(message(1), RETENTION);
    await waitFor(() => received.length === 2);
    expect(received.map((d) => [d.message.id, d.message.deliveryCount])).toEqual([
      ['m-1', 1],
      ['m-1', 2],
    ]);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(400 - 5); // Redis's min idle: never earlier than the ack timeout
    expect(received[0].ack()).toBe(false); // too late: the message went to its second delivery
    await waitFor(() => node.lag('audit', 'billing').pending === 0);
  });

  it('writes a burst in one pipeline per event-loop turn, its XADDs in scripted chunks, not a round trip per publication', async () => {
    let pipelinedEntries = 0;
    let chunks = 0;
    let pipelines = 0;
    let otherAdds = 0;
    class CountingRedis extends (Redis as unknown as new (url: string, options: Record<string, unknown>) => StreamClient) {
      override pipeline() {
        const pipeline = super.pipeline();
        const call = pipeline.call.bind(pipeline);
        let entries = 0;
        pipeline.call = (command, ...args) => {
          if (command === 'EVAL' && args[0] === APPEND_ENTRIES) {
            chunks++;
            entries += (JSON.parse(String(args[5])) as unknown[]).length; // script, key count, key, maxMessages, oldest id, pairs
          }
          if (command === 'XADD') otherAdds++;
          return call(command, ...args);
        };
        const exec = pipeline.exec.bind(pipeline);
        pipeline.exec = () => {
          if (entries > 0) pipelines++;
          pipelinedEntries += entries;
          return exec();
        };
        return pipeline;
      }
      override call(command: string, ...args: (string | number)[]) {
        if (command === 'XADD' || (command === 'EVAL' && args[0] === APPEND_ENTRIES)) otherAdds++;
        return super.call(command, ...args);
      }
    }
    const node = await backend('a', { Redis: CountingRedis as unknown as StreamClientConstructor });
    const received: DurableDelivery[] = [];
    await joined(node, member({ received }));
    for (let i = 0; i < 5_000; i++) node.append(message(i), RETENTION);
    await waitFor(() => received.length === 5_000, 15_000);
    expect(received.map((d) => d.message.id)).toEqual(Array.from({ length: 5_000 }, (_, i) => `m-${i}`));
    expect(pipelinedEntries).toBe(5_000);
    expect(pipelines).toBe(1);
    expect(chunks).toBe(Math.ceil(5_000 / 512));
    expect(otherAdds).toBe(0);
  });

  it('reads ahead for a member with one free slot: a burst costs far fewer reads than messages, in order', async () => {
    let reads = 0;
    class CountingRedis extends (Redis as unknown as new (url: string, options: Record<string, unknown>) => StreamClient) {
      override pipeline() {
        const pipeline = super.pipeline();
        const call = pipeline.call.bind(pipeline);
        pipeline.call = (command, ...args) => {
          if (command === 'XREADGROUP') reads++;
          return call(command, ...args);
        };
        return pipeline;
      }
    }
    const node = await backend('a', { Redis: CountingRedis as unknown as StreamClientConstructor });
    const received: DurableDelivery[] = [];
    let busy = false;
    const membership = node.join(
      member({
        received,
        autoAck: false,
        capacity: () => (busy ? 0 : 1),
        deliver: (delivery) => {
          received.push(delivery);
          busy = true;
          setImmediate(() => {
            busy = false;
            delivery.ack();
            membership.wake();
          });
        },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const before = reads;
    for (let i = 0; i < 1_000; i++) node.append(message(i), RETENTION);
    await waitFor(() => received.length === 1_000, 15_000);
    expect(received.map((d) => d.message.id)).toEqual(Array.from({ length: 1_000 }, (_, i) => `m-${i}`));
    expect(received.every((d) => d.message.deliveryCount === 1)).toBe(true);
    expect(reads - before).toBeLessThan(1_000 / 10);
  });

  it('hands what the last member read ahead to the next member at once, in order, when it leaves', async () => {
    const node = await backend('a');
    const first: DurableDelivery[] = [];
    const leaving = node.join(member({ received: first, autoAck: false, capacity: () => (first.length === 0 ? 1 : 0) }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (let i = 0; i < 10; i++) node.append(message(i), RETENTION);
    await waitFor(() => first.length === 1 && leaving.pending === 10); // one in hand, nine read ahead
    leaving.leave();
    const second: DurableDelivery[] = [];
    await joined(node, member({ received: second }));
    await waitFor(() => second.length === 10, 3_000); // long before the 30 s ack timeout
    expect(second.map((d) => d.message.id)).toEqual(Array.from({ length: 10 }, (_, i) => `m-${i}`));
    expect(second.map((d) => d.message.deliveryCount)).toEqual([2, ...Array<number>(9).fill(1)]);
  });

  it("prunes consumers left idle with nothing pending (gone subscriptions and processes), never one holding deliveries or this node's", async () => {
    const node = await backend('a', { idleConsumerMs: 300 });
    let open = false;
    const received: DurableDelivery[] = [];
    const membership = node.join(member({ received, capacity: () => (open ? 1 : 0) }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const key = `${prefix}:stream:audit`;
    const probe = new Redis(server.url, {}) as StreamClient;
    const names = async () =>
      ((await probe.call('XINFO', 'CONSUMERS', key, 'billing')) as unknown[][]).map((c) => String(c[c.indexOf('name') + 1])).sort();
    try {
      node.append(message(1), RETENTION);
      node.append(message(2), RETENTION);
      await waitFor(() => node.pendingAppends === 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await probe.call('XREADGROUP', 'GROUP', 'billing', 'gone-busy', 'COUNT', 1, 'STREAMS', key, '>'); // holds m-1
      const reply = await probe.call('XREADGROUP', 'GROUP', 'billing', 'gone-idle', 'COUNT', 1, 'STREAMS', key, '>');
      const [[handled]] = streamReadEntries(reply, key);
      await probe.call('XACK', key, 'billing', handled);
      expect(await names()).toEqual(['gone-busy', 'gone-idle']);
      open = true;
      membership.wake();
      node.append(message(3), RETENTION);
      await waitFor(() => received.length === 1);
      let current: string[] = [];
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        current = await names();
        if (!current.includes('gone-idle')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(current).toHaveLength(2);
      expect(current).toContain('gone-busy');
      expect(current.find((name) => name.startsWith('a:'))).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // this node's consumer stays idle longer than 300 ms
      expect(await names()).toEqual(current);
    } finally {
      probe.disconnect();
    }
  });

  it('app.close() returns within the drain timeout + 2 s with durable subscriptions running while Redis is frozen', async () => {
    const { app } = await startRedisApp(server.url, prefix, { heartbeatIntervalMs: 500, nodeTimeoutMs: 2_000 });
    const audit = app.get(PubSubManager).channel('audit');
    const handled: unknown[] = [];
    audit.subscribe('audit:*', (m) => void handled.push(m.payload), { durable: 'archiver' });
    audit.subscribe('audit:*', () => new Promise(() => undefined), { durable: 'stuck', concurrency: 8 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 100; i++) audit.publish(`audit:${i}`, 'recorded', { i });
    await waitFor(() => handled.length === 100);
    server.freeze();
    try {
      for (let i = 0; i < 1_000; i++) audit.publish(`audit:${i}`, 'recorded', { i });
      const started = Date.now();
      await app.close();
      expect(Date.now() - started).toBeLessThan(SHUTDOWN_DRAIN_TIMEOUT_MS + 2_000);
    } finally {
      server.thaw();
    }
  }, 30_000);
});
