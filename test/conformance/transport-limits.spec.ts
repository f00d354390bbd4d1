import { MemoryHub } from '../../libs/pubsub/src/transport/memory-hub.js';
import { ClusterTransport } from '../../libs/pubsub/src/transport/cluster-transport.js';
import { loadIoredis } from '../../libs/pubsub/src/transport/load-ioredis.js';
import { RedisBus } from '../../libs/pubsub/src/transport/redis-bus.js';
import { resolvePubSubSettings } from '../../libs/pubsub/src/module/pubsub-settings.js';
import { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import { eventually, sleep, TestCluster, type Backend } from './cluster-harness.js';

/** Bounds of the cluster transport (over the memory hub): whatever is not sent is counted, never silently gone. */
const hubs = new Map<string, MemoryHub>();
const hub = (prefix: string) => hubs.get(prefix) ?? hubs.set(prefix, new MemoryHub()).get(prefix)!;
const memory: Backend = {
  name: 'memory',
  setup: async () => undefined,
  teardown: async () => hubs.clear(),
  join: (prefix) => ({ transport: { type: 'memory' }, memoryHub: hub(prefix) }),
  inject: async (prefix, text) => void hub(prefix).inject(text),
  tap: async () => ({ frames: [], stop: async () => undefined }),
  interrupt: async (prefix) => hub(prefix).setDown(true),
  restore: async (prefix) => hub(prefix).setDown(false),
};

describe('cluster transport limits (memory hub)', () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('bounds the send queue while the bus is down: the overflow is counted and logged, the rest delivered later', async () => {
    cluster = new TestCluster(memory, { tuning: { maxPending: 100 } });
    const [a, b] = await cluster.nodesThatKnowEachOther('node-a', 'node-b');
    const inbox = b.inbox('events', 'queued:*', { mailboxSize: 1_000 });
    await memory.interrupt(cluster.prefix);
    for (let i = 0; i < 150; i++) expect(a.channels.channel('events').publish('queued:x', 'q', i).ok).toBe(true);
    expect(a.channels.channel('events').stats().failedPublications).toBe(50);
    expect(a.transport.stats()).toMatchObject({ pending: 100, sendFailures: 50 });
    expect(a.logs.some((line) => line.startsWith('warn:') && line.includes('send queue is full'))).toBe(true);
    await memory.restore(cluster.prefix);
    await inbox.until(100);
    expect(inbox.messages.map((m) => m.payload)).toEqual([...Array(100).keys()]);
    expect(b.channels.channel('events').stats().lost).toBe(0);
  });

  it('does not send messages that waited longer than messageMaxAgeMs, and counts them', async () => {
    cluster = new TestCluster(memory, { messageMaxAgeMs: 150 });
    const [a, b] = await cluster.nodesThatKnowEachOther('node-a', 'node-b');
    const inbox = b.inbox('events', 'stale:*');
    await memory.interrupt(cluster.prefix);
    for (let i = 0; i < 10; i++) a.channels.channel('events').publish('stale:x', 'stale', i);
    await sleep(250);
    await memory.restore(cluster.prefix);
    a.channels.channel('events').publish('stale:fresh', 'fresh', 'fresh');
    await inbox.until(1);
    await sleep(50);
    expect(inbox.messages.map((m) => m.type)).toEqual(['fresh']);
    expect(a.channels.channel('events').stats().failedPublications).toBe(10);
    expect(b.channels.channel('events').stats().lost).toBe(0);
  });

  it('refuses at publish a payload that cannot be serialised (invalid_message, delivered nowhere) without disturbing the others', async () => {
    cluster = new TestCluster(memory);
    const [a, b] = await cluster.nodesThatKnowEachOther('node-a', 'node-b');
    const local = a.inbox('events', 'odd:*');
    const remote = b.inbox('events', 'odd:*');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const events = a.channels.channel('events');
    expect(events.publish('odd:1', 'before', 1).ok).toBe(true);
    expect(events.publish('odd:2', 'bigint', { big: 10n })).toMatchObject({ ok: false, reason: 'invalid_message' });
    expect(events.publish('odd:3', 'cycle', cyclic)).toMatchObject({ ok: false, reason: 'invalid_message' });
    expect(
      events.publish('odd:4', 'to_json', {
        toJSON: () => {
          throw new Error('no');
        },
      }),
    ).toMatchObject({ ok: false, reason: 'invalid_message' });
    expect(events.publish('odd:5', 'after', 5).ok).toBe(true);
    await remote.until(2);
    await local.until(2);
    await sleep(30);
    expect(remote.messages.map((m) => m.type)).toEqual(['before', 'after']);
    expect(local.messages.map((m) => m.type)).toEqual(['before', 'after']);
    expect(events.stats()).toMatchObject({ published: 2, failedPublications: 3 });
    expect(b.channels.channel('events').stats().lost).toBe(0);
  });

  it('counts what is still waiting when it closes while the bus is down', async () => {
    cluster = new TestCluster(memory);
    const a = await cluster.node('node-a');
    await memory.interrupt(cluster.prefix);
    for (let i = 0; i < 7; i++) a.channels.channel('events').publish('closing:x', 'c', i);
    await a.transport.close();
    expect(a.channels.channel('events').stats().failedPublications).toBe(7);
    expect(a.transport.stats().pending).toBe(0);
  });

  it('raises transport_down once per outage and transport_up when back', async () => {
    cluster = new TestCluster(memory);
    const a = await cluster.node('node-a');
    for (let round = 0; round < 2; round++) {
      await memory.interrupt(cluster.prefix);
      await memory.restore(cluster.prefix);
    }
    await eventually(() => a.alerts.filter((alert) => alert.rule === 'transport_up').length === 2);
    expect(a.alerts.map((alert) => alert.rule)).toEqual(['transport_down', 'transport_up', 'transport_down', 'transport_up']);
    expect(a.alerts[0]).toMatchObject({ severity: 'critical', details: { bus: expect.stringContaining('memory hub') } });
    expect(a.transport.stats().outages).toBe(2);
  });
});

describe('loading ioredis', () => {
  it('loads the optional peer when it is installed', async () => {
    expect(typeof (await loadIoredis())).toBe('function');
  });

  it('fails start-up with an error naming the package and how to install it when it is missing', async () => {
    await expect(loadIoredis('ioredis-is-not-installed')).rejects.toThrow(
      /optional peer dependency 'ioredis-is-not-installed'.*npm install ioredis-is-not-installed@\^6/s,
    );
    const settings = resolvePubSubSettings(
      { nodeName: 'n', transport: { type: 'redis', url: 'redis://127.0.0.1:1', allowUnsigned: true } },
      {},
    );
    const bus = new RedisBus({ prefix: 'p', logger: silentLogger, loadClient: () => loadIoredis('ioredis-is-not-installed') });
    const transport = new ClusterTransport({ settings, logger: silentLogger }, bus);
    transport.bind(new ChannelSet({ nodeName: 'n', logger: silentLogger, wiring: { transmit: transport.transmit } }), () => undefined);
    await expect(transport.start()).rejects.toThrow(/npm install/);
    await transport.close();
  });
});
