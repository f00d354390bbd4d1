/**
 * Durable delivery. Over Redis, publisher and consumer in two processes (PubSubModule.forRoot() each, as in an
 * application): throughput of a durable subscription (Redis Streams, acknowledged after each handler call)
 * beside an at-most-once one on the same channel, measured the same way in the same run, and p50/p99 end to
 * end at a steady 2,000 msg/s. In memory: what retention costs per retained message, through forRoot() (heap
 * after full collections, the payload shared so only the library's own structures count).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditChannel, EventsChannel, PubSubModule, type Channel } from '../../libs/pubsub/src/index.js';
import { groupCreated } from '../../test/redis/support/stream-groups.js';
import { RedisServer, redisServerBinary } from '../../test/support/redis-server.js';
import { check, formatBytes, formatOps, heapUsed, median } from '../lib/measure.js';
import type { Row, Suite, SuiteResult } from '../lib/types.js';
import { PeerProcess } from './redis/peer-process.js';
import { describePaired, pairedAtMostOnce, pairedRows } from './durable/paired-at-most-once.js';

const RETAINED = 100_000;
const PAYLOAD = Object.freeze({ actor: 'user-42', resource: 'order', action: 'update' });

interface RetentionCost {
  /** Heap per publication on a channel that retains it. */
  retained: number;
  /** Heap per publication on a channel without retention (the envelope becomes garbage). */
  unretained: number;
  /** Heap per retained message once the log is full and every further publication evicts the oldest. */
  atCapacity: number;
}

async function publishAll(channel: Channel, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const result = channel.publish(`user:${i % 100}:changed`, 'record_changed', PAYLOAD);
    check(result.ok, `publish refused: ${JSON.stringify(result)}`);
  }
  check(await channel.drain(10_000), `${channel.name} did not drain`);
}

async function retentionCost(): Promise<RetentionCost> {
  const retention = { maxMessages: RETAINED, maxAgeMs: 86_400_000 };
  @Module({ imports: [PubSubModule.forRoot({ integration: false, channels: { audit: { retention } } })] })
  class RetentionBenchModule {}
  const app = await NestFactory.createApplicationContext(RetentionBenchModule, { logger: false });
  await app.init();
  try {
    const audit = app.get(AuditChannel);
    const events = app.get(EventsChannel);
    await publishAll(audit, 1_000); // warm-up: code paths compiled, log arrays allocated, then compacted away
    await publishAll(events, 1_000);
    let before = await heapUsed();
    await publishAll(events, RETAINED);
    const unretained = ((await heapUsed()) - before) / RETAINED;
    before = await heapUsed();
    const retainedBefore = audit.stats().retained;
    await publishAll(audit, RETAINED);
    const afterFill = await heapUsed();
    check(audit.stats().retained === RETAINED, `retained ${audit.stats().retained} of ${RETAINED}`);
    const added = RETAINED - retainedBefore;
    const retained = (afterFill - before) / added;
    await publishAll(audit, RETAINED); // a full log's worth more: each one evicts the oldest
    const afterWrap = await heapUsed();
    check(audit.stats().retained === RETAINED, `retained ${audit.stats().retained} after wrapping`);
    const atCapacity = (afterWrap - before) / added;
    return { retained, unretained, atCapacity };
  } finally {
    await app.close();
  }
}

const DURABLE_PEER = join(dirname(fileURLToPath(import.meta.url)), 'durable', 'durable-peer.js');
const FLOOD_COUNT = 20_000;
const FLOOD_RUNS = 3;
/** Paired, interleaved at-most-once rounds of `events`, `audit` and `audit` with a group (durable/paired-at-most-once.ts). */
const PAIRED_ROUNDS = 7;
const PAIRED_STEADY_ROUNDS = 2;
const STEADY_RATE = 2_000;
const STEADY_MS = 4_000;
/** Handler calls a durable consumer runs at once in the second durable measurement (the first: 1, the default). */
const WIDE_CONCURRENCY = 100;
/** The durable name the bench's consumer subscribes with (durable/durable-peer.ts). */
const DURABLE_NAME = 'bench-writer';

interface Collected {
  received: number;
  lastAt: number;
  p50: number;
  p99: number;
  acked: number;
  pending: number;
  dropped: number;
  lost: number;
  redelivered: number;
}

interface RedisMeasured {
  label: string;
  maxRate: number;
  p50: number;
  p99: number;
  steadyReceived: number;
  steadySent: number;
  /** Entries in the channel's stream afterwards: what went through Redis Streams. */
  streamLength: number;
}

/** `audit` keeps its default retention (the last 10,000) instead of the 1,000,000 the durable floods need. */
const DEFAULT_RETENTION = 'default retention';

async function measureRedis(
  url: string,
  mode: 'at-most-once' | 'durable',
  concurrency: number,
  channel = 'audit',
  retention?: typeof DEFAULT_RETENTION,
): Promise<RedisMeasured> {
  const prefix = `bench-durable-${randomBytes(3).toString('hex')}`;
  const peer = {
    script: DURABLE_PEER,
    env: {
      BENCH_CONCURRENCY: String(concurrency),
      BENCH_DURABLE: DURABLE_NAME,
      BENCH_CHANNEL: channel,
      ...(retention === undefined ? {} : { BENCH_RETENTION: 'default' }),
    },
  };
  const receiver = await PeerProcess.start(mode, 'receiver', url, prefix, peer);
  const sender = await PeerProcess.start(mode, 'sender', url, prefix, peer);
  const kept = retention === undefined ? 'retaining 1,000,000' : 'its default retention of 10,000';
  const where = channel === 'audit' ? `\`audit\` (${kept})` : `\`${channel}\` (no retention)`;
  const label = mode === 'durable' ? `durable on ${where}, concurrency ${concurrency}` : `at-most-once on ${where}`;
  try {
    for (let i = 0; i < 200 && (await sender.request<number>('peers')) < 2; i++) await new Promise((r) => setTimeout(r, 25));
    if (mode === 'durable') await groupCreated(url, prefix, channel, DURABLE_NAME);
    const rates: number[] = [];
    let expected = 0;
    for (let run = 0; run <= FLOOD_RUNS; run++) {
      await receiver.request('reset');
      const count = run === 0 ? 2_000 : FLOOD_COUNT; // the first is a warm-up
      const startedAt = await sender.request<number>('flood', { count });
      const got = await receiver.request<Collected>('collect', { count, quietMs: 5_000 });
      check(got.received === count, `${label}: ${got.received} of a ${count}-message flood handled`);
      expected += count;
      if (run > 0) rates.push(got.received / ((got.lastAt - startedAt) / 1_000));
    }
    await receiver.request('reset');
    const sent = await sender.request<{ sent: number }>('steady', { rate: STEADY_RATE, durationMs: STEADY_MS });
    const got = await receiver.request<Collected>('collect', { count: sent.sent, quietMs: 2_000 });
    expected += sent.sent;
    check(got.received === sent.sent, `${label}: ${got.received} of ${sent.sent} handled at ${STEADY_RATE}/s`);
    check(got.dropped === 0 && got.lost === 0, `${label}: dropped ${got.dropped}, lost ${got.lost}`);
    check((await sender.request<number>('refused')) === 0, `${label}: publications refused or failed`);
    if (mode === 'durable')
      check(got.acked >= expected && got.redelivered === 0, `${label}: acked ${got.acked} of ${expected}, redelivered ${got.redelivered}`);
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    const streamLength = await redis.xlen(`${prefix}:stream:${channel}`).finally(() => redis.disconnect());
    if (mode === 'durable')
      check(
        streamLength >= expected,
        `${label}: the stream holds ${streamLength} of ${expected} publications; durable delivery did not go through Redis Streams`,
      );
    return { label, maxRate: median(rates), p50: got.p50, p99: got.p99, steadyReceived: got.received, steadySent: sent.sent, streamLength };
  } finally {
    await Promise.all([sender.stop(), receiver.stop()]);
  }
}

async function redisFigures(): Promise<{ rows: Row[]; lines: string[] }> {
  if (redisServerBinary() === undefined)
    return { rows: [], lines: ['- Durable over Redis: SKIPPED — redis-server is not installed (apt-get install -y redis-server).'] };
  const server = await RedisServer.start();
  try {
    const measured = [
      await measureRedis(server.url, 'at-most-once', 1),
      await measureRedis(server.url, 'at-most-once', 1, 'events'),
      await measureRedis(server.url, 'at-most-once', 1, 'audit', DEFAULT_RETENTION),
      await measureRedis(server.url, 'durable', 1),
      await measureRedis(server.url, 'durable', WIDE_CONCURRENCY),
    ];
    const table = 'Durable delivery over Redis: publisher and consumer in two processes, ~200 B audit record';
    const rows = measured.map((m): Row => ({
      table,
      workload: m.label,
      ours: m.maxRate,
      note: `handled msg/s in ${FLOOD_COUNT / 1_000}k floods; at ${STEADY_RATE}/s end to end p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms (${m.steadyReceived}/${m.steadySent})`,
    }));
    const paired = await pairedAtMostOnce(server.url, DURABLE_PEER, PAIRED_ROUNDS, PAIRED_STEADY_ROUNDS);
    const [atMostOnce, , , ...durable] = measured;
    rows.push(...pairedRows(paired, table));
    const lines = [
      ...describePaired(paired),
      ...durable.map(
        (m) =>
          `- Durable over Redis (${m.label}): ${formatOps(m.maxRate)} msg/s handled and acknowledged, ${(m.maxRate / atMostOnce.maxRate).toFixed(2)}x the at-most-once ${formatOps(atMostOnce.maxRate)} msg/s of the same run; ` +
          `p99 ${m.p99.toFixed(2)} ms at ${STEADY_RATE}/s (at-most-once ${atMostOnce.p99.toFixed(2)} ms); ${m.streamLength.toLocaleString('en')} stream entries`,
      ),
    ];
    return { rows, lines };
  } finally {
    await server.stop();
  }
}

const suite: Suite = {
  name: 'durable',
  async run(): Promise<SuiteResult> {
    const cost = await retentionCost();
    const redis = await redisFigures();
    return {
      rows: redis.rows,
      lines: [
        ...redis.lines,
        `- Memory per retained message (${RETAINED.toLocaleString('en')} on \`audit\` through forRoot(), shared payload): ` +
          `**${formatBytes(cost.retained)}** (envelope, id, log slots); ${formatBytes(cost.atCapacity)} once the log is full and ` +
          `${RETAINED.toLocaleString('en')} more evicted the oldest; a channel without retention keeps ${formatBytes(cost.unretained)} per publication`,
      ],
    };
  },
};
export default suite;
