/**
 * One side of the durable Redis bench, in its own process (forked by bench/suites/60-durable.ts, driven over
 * IPC): PubSubModule.forRoot() on the Redis transport in a Nest application context, as an application has it.
 * The receiver subscribes to BENCH_CHANNEL (`audit`, retained, or `events`, not) either at-most-once (live, over
 * the pub/sub bus) or with `durable` (Redis Streams: each message acknowledged once its handler returned). The
 * sender never subscribes.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { performance } from 'node:perf_hooks';
import { PubSubManager, PubSubModule, type ChannelName, type ChannelStats } from '../../../libs/pubsub/src/index.js';
import { percentile } from '../../lib/measure.js';
import { servePeerCommands, type PeerCommands } from '../redis/peer-commands.js';

const epochNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mode = process.argv[2] as 'at-most-once' | 'durable';
const receives = process.env.BENCH_ROLE === 'receiver';
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1);
const channelName = (process.env.BENCH_CHANNEL ?? 'audit') as ChannelName;
// Large enough that no flood is trimmed from the stream before the group read it; BENCH_RETENTION=default keeps
// the channel's default retention (audit: the last 10,000), what an application that configures nothing gets.
const retention = { maxMessages: 1_000_000, maxAgeMs: 3_600_000 };
const channels = process.env.BENCH_RETENTION === 'default' ? {} : { audit: { retention } };

@Module({
  imports: [
    PubSubModule.forRoot({
      nodeName: process.env.BENCH_NODE!,
      integration: false,
      transport: { type: 'redis', url: process.env.BENCH_REDIS_URL!, prefix: process.env.BENCH_PREFIX! },
      secretKeyBase: 'bench-secret-key',
      channels,
    }),
  ],
})
class DurablePeerModule {}

const app = await NestFactory.createApplicationContext(DurablePeerModule, { logger: false });
await app.init();
const manager = app.get(PubSubManager);
const channel = manager.channel(channelName);

let received = 0;
let lastAt = 0;
let latencies: number[] = [];
let receiveStarted = epochNow();
if (receives) {
  const options = mode === 'durable' ? { durable: process.env.BENCH_DURABLE!, concurrency } : { mailboxSize: 1_000_000, concurrency };
  channel.subscribe(
    'bench:*',
    (message) => {
      const at = epochNow();
      received++;
      lastAt = at;
      latencies.push(at - (message.payload as { sentAt: number }).sentAt);
    },
    options,
  );
}

/** An audit record of about 200 bytes as JSON. */
const record = (n: number) => ({
  actor: 'user-42@tenant-7',
  resource: 'orders/2026/12/01/ord-000123',
  action: 'update',
  changes: { status: ['pending', 'paid'], amountCents: [1999, 1999] },
  n,
  sentAt: epochNow(),
});

let refused = 0;
function publish(n: number): void {
  if (!channel.publish('bench:orders', 'record_changed', record(n)).ok) refused++;
}

/** As fast as the event loop allows, 1,000 publications per turn. */
async function flood(count: number): Promise<number> {
  const startedAt = epochNow();
  for (let n = 0; n < count;) {
    const end = Math.min(count, n + 1_000);
    for (; n < end; n++) publish(n);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return startedAt;
}

/** `rate` publications per second for `durationMs`, checked every millisecond. */
async function steady(rate: number, durationMs: number): Promise<{ sent: number; wallMs: number }> {
  const started = epochNow();
  let n = 0;
  while (epochNow() - started < durationMs) {
    const due = Math.floor(((epochNow() - started) * rate) / 1_000);
    for (; n < due; n++) publish(n);
    await sleep(1);
  }
  return { sent: n, wallMs: epochNow() - started };
}

const channelStats = (): ChannelStats => channel.stats();

const commands: PeerCommands = {
  peers: () => manager.nodes().length,
  reset: () => {
    received = 0;
    latencies = [];
    receiveStarted = epochNow();
    return true;
  },
  flood: ({ count }) => flood(count),
  steady: ({ rate, durationMs }) => steady(rate, durationMs),
  /** Waits (bounded) until `count` handler calls returned or nothing arrived for `quietMs`. */
  collect: async ({ count, quietMs }) => {
    while (received < count && epochNow() - Math.max(lastAt, receiveStarted) < quietMs) await sleep(5);
    const { acked, pending, dropped, lost, redelivered } = channelStats();
    return { received, lastAt, p50: percentile(latencies, 50), p99: percentile(latencies, 99), acked, pending, dropped, lost, redelivered };
  },
  refused: () => refused + channelStats().failedPublications,
  /** This process's CPU time so far (user + system, ms): the paired bench takes it per flood. */
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1_000;
  },
};

servePeerCommands(commands, () => app.close());
