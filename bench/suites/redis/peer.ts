/**
 * One side of the Redis bench, in its own process (forked by bench/suites/redis.ts, driven over IPC):
 * 'plain' is ioredis PUBLISH / PSUBSCRIBE as an application would use it; 'ours' is a ChannelSet on this
 * library's Redis transport (signed frames, batching, sequencing), as the Nest module builds it.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import { createTransportLayer, type TransportLayer } from '../../../libs/pubsub/src/transport/transport-layer.js';
import { percentile } from '../../lib/measure.js';
import { servePeerCommands, type PeerCommands } from './peer-commands.js';

interface Peer {
  publish(n: number): void;
  /** Resolves when the peer may publish again (flow control for plain ioredis). */
  backpressure(): Promise<void>;
  peers(): number;
  stats(): unknown;
  close(): Promise<void>;
}

const epochNow = (): number => performance.timeOrigin + performance.now();
const kind = process.argv[2] as 'plain' | 'ours';
const url = process.env.BENCH_REDIS_URL!;
const prefix = process.env.BENCH_PREFIX!;
const nodeName = process.env.BENCH_NODE!;
/** The publishing side has no subscriber of its own; the receiving side never publishes. */
const receives = process.env.BENCH_ROLE === 'receiver';

/** The seeds' health event, ~200 bytes as JSON. */
function healthEvent(n: number): Record<string, unknown> {
  return {
    node: 'gater@bench-host-1',
    status: 'healthy',
    checks: { memory: 'ok', processes: 'ok', storage: 'ok', network: 'ok' },
    uptimeMs: 123_456_789,
    memoryMb: 512.25,
    processCount: 312,
    n,
    sentAt: epochNow(),
  };
}

let received = 0;
let latencies: number[] = [];
let lastAt = 0;
function onMessage(sentAt: number): void {
  const at = epochNow();
  received++;
  lastAt = at;
  if (latencies.length < 1_000_000) latencies.push(at - sentAt);
}

function plainPeer(): Peer {
  const publisher = new Redis(url, { maxRetriesPerRequest: 1 });
  const subscriber = receives ? new Redis(url, { maxRetriesPerRequest: 1 }) : undefined;
  let outstanding = 0;
  let waiting: (() => void) | undefined;
  void subscriber?.psubscribe(`${prefix}:health:*`);
  subscriber?.on('pmessage', (_pattern: string, _channel: string, text: string) =>
    onMessage((JSON.parse(text) as { sentAt: number }).sentAt),
  );
  const settled = () => {
    outstanding--;
    if (outstanding < 500 && waiting !== undefined) {
      const wake = waiting;
      waiting = undefined;
      wake();
    }
  };
  return {
    publish: (n) => {
      outstanding++;
      publisher.publish(`${prefix}:health:node-1`, JSON.stringify(healthEvent(n))).then(settled, settled);
    },
    backpressure: () => (outstanding < 1_000 ? Promise.resolve() : new Promise((resolve) => (waiting = resolve))),
    peers: () => 2,
    stats: () => ({}),
    close: async () => {
      publisher.disconnect();
      subscriber?.disconnect();
    },
  };
}

function oursPeer(): Peer {
  const settings = resolvePubSubSettings({ nodeName, transport: { type: 'redis', url, prefix }, secretKeyBase: 'bench-secret-key' }, {});
  const tuning = {
    ...(process.env.BENCH_MAX_BATCH_MESSAGES === undefined ? {} : { maxBatchMessages: Number(process.env.BENCH_MAX_BATCH_MESSAGES) }),
    ...(process.env.BENCH_MAX_IN_FLIGHT_FRAMES === undefined ? {} : { maxInFlightFrames: Number(process.env.BENCH_MAX_IN_FLIGHT_FRAMES) }),
    ...(process.env.BENCH_MIN_FRAME_INTERVAL_MS === undefined
      ? {}
      : { minFrameIntervalMs: Number(process.env.BENCH_MIN_FRAME_INTERVAL_MS) }),
    ...(process.env.BENCH_HOLD_PARTIAL_FRAME_MS === undefined
      ? {}
      : { holdPartialFrameMs: Number(process.env.BENCH_HOLD_PARTIAL_FRAME_MS) }),
  };
  const transport: TransportLayer = createTransportLayer({ settings, logger: silentLogger, tuning });
  const channels = new ChannelSet({ nodeName, logger: silentLogger, wiring: { transmit: transport.transmit, durable: transport.durable } });
  transport.bind(channels, () => undefined);
  const health = channels.channel('health');
  if (receives)
    health.subscribe('cluster:health:*', (message) => onMessage((message.payload as { sentAt: number }).sentAt), {
      mailboxSize: 1_000_000,
    });
  void transport.start();
  return {
    publish: (n) => void health.publish('cluster:health:node-1', 'node_health_updated', healthEvent(n)),
    backpressure: () => Promise.resolve(),
    peers: () => transport.nodes().length,
    stats: () => transport.stats(),
    close: () => transport.close(),
  };
}

const peer = kind === 'plain' ? plainPeer() : oursPeer();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** As fast as possible, in chunks of 1,000 per event-loop turn (plain ioredis: at most 1,000 unanswered). */
async function flood(count: number): Promise<number> {
  const startedAt = epochNow();
  for (let n = 0; n < count;) {
    const end = Math.min(count, n + 1_000);
    for (; n < end; n++) peer.publish(n);
    await peer.backpressure();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return startedAt;
}

/** `rate` messages per second for `durationMs`, checked every millisecond. */
async function steady(rate: number, durationMs: number): Promise<{ sent: number; cpuMs: number; wallMs: number; userMs: number }> {
  const cpu = process.cpuUsage();
  const started = epochNow();
  let n = 0;
  while (epochNow() - started < durationMs) {
    const due = Math.floor(((epochNow() - started) * rate) / 1_000);
    for (; n < due; n++) peer.publish(n);
    await sleep(1);
  }
  const used = process.cpuUsage(cpu);
  return { sent: n, cpuMs: (used.user + used.system) / 1_000, wallMs: epochNow() - started, userMs: used.user / 1_000 };
}

let receiveCpu = process.cpuUsage();
let receiveStarted = epochNow();

const commands: PeerCommands = {
  peers: () => peer.peers(),
  /** This process's CPU time so far (user + system, ms): the bench takes differences around a flood. */
  cpu: () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1_000;
  },
  stats: () => peer.stats(),
  reset: () => {
    received = 0;
    latencies = [];
    receiveCpu = process.cpuUsage();
    receiveStarted = epochNow();
    return true;
  },
  flood: ({ count }) => flood(count),
  steady: ({ rate, durationMs }) => steady(rate, durationMs),
  /** Waits (bounded) until `count` messages arrived or nothing arrives for `quietMs`. */
  collect: async ({ count, quietMs }) => {
    while (received < count && epochNow() - Math.max(lastAt, receiveStarted) < quietMs) await sleep(5);
    const used = process.cpuUsage(receiveCpu);
    return {
      received,
      lastAt,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuMs: (used.user + used.system) / 1_000,
      userMs: used.user / 1_000,
      wallMs: epochNow() - receiveStarted,
    };
  },
};

servePeerCommands(commands, () => peer.close());
