import { loadIoredis } from '../../libs/pubsub/src/transport/load-ioredis.js';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import type { DurableDelivery, DurableMemberOptions } from '../../libs/pubsub/src/durable/durable-backend.js';
import type { PubSubMessage } from '../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../libs/pubsub/src/security/pubsub-security.js';
import { RedisStreamsBackend } from '../../libs/pubsub/src/transport/redis-streams/redis-streams-backend.js';
import type { StreamClient, StreamClientConstructor } from '../../libs/pubsub/src/transport/redis-streams/stream-client.js';
import { RedisServer } from '../support/redis-server.js';
import { describeWithRedis } from './support/describe-with-redis.js';

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
});
