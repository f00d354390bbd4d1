/**
 * Redis transport between two processes vs plain ioredis PUBLISH/PSUBSCRIBE between two processes, same
 * ~200-byte health event: maximum throughput (received msg/s), p50/p99 latency at a fixed 5,000 msg/s, and
 * CPU (process.cpuUsage of both processes) per 1,000 msg/s. Runs against a private redis-server.
 */
import { randomBytes } from 'node:crypto';
import { RedisServer, redisServerBinary } from '../../test/support/redis-server.js';
import { formatOps, median } from '../lib/measure.js';
import type { Row, Suite, SuiteResult } from '../lib/types.js';
import { PeerProcess } from './redis/peer-process.js';

const FLOOD_COUNT = 100_000;
const FLOOD_RUNS = 3;
const STEADY_RATE = 5_000;
const STEADY_MS = 4_000;
const TARGET_RATIO = 2;
const TARGET_P99_MS = 5;

interface Collected {
  received: number;
  lastAt: number;
  p50: number;
  p99: number;
  cpuMs: number;
  wallMs: number;
}

interface Measured {
  maxRate: number;
  deliveredRatio: number;
  p50: number;
  p99: number;
  /** Both processes, load generator included. */
  cpuPer1k: number;
  /** The same, less what the load generator's 1 ms timer loop costs on its own (measured idle, same process). */
  netCpuPer1k: number;
  steadyReceived: number;
  steadySent: number;
}

async function measure(kind: 'plain' | 'ours', url: string): Promise<Measured> {
  const prefix = `bench-${kind}-${randomBytes(3).toString('hex')}`;
  const receiver = await PeerProcess.start(kind, 'receiver', url, prefix);
  const sender = await PeerProcess.start(kind, 'sender', url, prefix);
  try {
    for (let i = 0; i < 200 && (await sender.request<number>('peers')) < 2; i++) await new Promise((r) => setTimeout(r, 25));
    const rates: number[] = [];
    const ratios: number[] = [];
    for (let run = 0; run <= FLOOD_RUNS; run++) {
      await receiver.request('reset');
      const startedAt = await sender.request<number>('flood', { count: FLOOD_COUNT });
      const got = await receiver.request<Collected>('collect', { count: FLOOD_COUNT, quietMs: 3_000 });
      if (run === 0) continue; // warm-up
      rates.push(got.received / ((got.lastAt - startedAt) / 1_000));
      ratios.push(got.received / FLOOD_COUNT);
    }
    await sender.request('steady', { rate: STEADY_RATE, durationMs: 500 }); // warm-up at the fixed rate
    await receiver.request('collect', { count: Number.MAX_SAFE_INTEGER, quietMs: 300 });
    await receiver.request('reset');
    const sent = await sender.request<{ sent: number; cpuMs: number; wallMs: number }>('steady', {
      rate: STEADY_RATE,
      durationMs: STEADY_MS,
    });
    const got = await receiver.request<Collected>('collect', { count: sent.sent, quietMs: 1_000 });
    const idle = await sender.request<{ cpuMs: number; wallMs: number }>('steady', { rate: 0, durationMs: 2_000 });
    const cpuPercent = (100 * sent.cpuMs) / sent.wallMs + (100 * got.cpuMs) / got.wallMs;
    const idlePercent = (100 * idle.cpuMs) / idle.wallMs;
    const achievedRate = sent.sent / (sent.wallMs / 1_000);
    return {
      maxRate: median(rates),
      deliveredRatio: Math.min(...ratios),
      p50: got.p50,
      p99: got.p99,
      cpuPer1k: cpuPercent / (achievedRate / 1_000),
      netCpuPer1k: (cpuPercent - idlePercent) / (achievedRate / 1_000),
      steadyReceived: got.received,
      steadySent: sent.sent,
    };
  } finally {
    await Promise.all([sender.stop(), receiver.stop()]);
  }
}

const describe = (m: Measured) =>
  `max ${formatOps(m.maxRate)} msg/s (${(100 * m.deliveredRatio).toFixed(1)}% of each ${FLOOD_COUNT / 1_000}k burst delivered); ` +
  `at ${STEADY_RATE}/s: p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, ${m.steadyReceived}/${m.steadySent} delivered; ` +
  `CPU per 1,000 msg/s (both processes): ${m.cpuPer1k.toFixed(2)}%, ${m.netCpuPer1k.toFixed(2)}% net of the load generator's idle timer loop`;

const suite: Suite = {
  name: 'redis',
  async run(): Promise<SuiteResult> {
    if (redisServerBinary() === undefined) {
      const line = 'Redis transport: SKIPPED — redis-server is not installed (apt-get install -y redis-server).';
      return { rows: [], lines: [line], targets: process.env.CI === 'true' ? [{ name: 'redis bench', met: false, detail: line }] : [] };
    }
    const server = await RedisServer.start();
    try {
      const plain = await measure('plain', server.url);
      const ours = await measure('ours', server.url);
      const ratio = ours.maxRate / plain.maxRate;
      const rows: Row[] = [
        {
          workload: 'redis: 2 processes, ~200 B health event',
          ours: ours.maxRate,
          note: `plain ioredis PUBLISH/PSUBSCRIBE: ${formatOps(plain.maxRate)} msg/s → ours ${ratio.toFixed(2)}x; signed, batched`,
        },
      ];
      const lines = [
        `Redis, plain ioredis (2 processes): ${describe(plain)}`,
        `Redis, @gater/pubsub transport (2 processes, HMAC-signed): ${describe(ours)}`,
      ];
      const targets = [
        {
          name: 'redis throughput ≥2x plain ioredis',
          met: ratio >= TARGET_RATIO && ours.deliveredRatio === 1,
          detail: `${ratio.toFixed(2)}x, ${(100 * ours.deliveredRatio).toFixed(1)}% delivered`,
        },
        {
          name: `redis p99 < ${TARGET_P99_MS} ms at ${STEADY_RATE}/s`,
          met: ours.p99 < TARGET_P99_MS,
          detail: `p99 ${ours.p99.toFixed(2)} ms`,
        },
        {
          name: 'redis CPU per message ≤ plain ioredis',
          met: ours.cpuPer1k <= plain.cpuPer1k,
          detail: `${ours.cpuPer1k.toFixed(2)}% (${ours.netCpuPer1k.toFixed(2)}% net of the load generator; plain ioredis ${plain.cpuPer1k.toFixed(2)}% / ${plain.netCpuPer1k.toFixed(2)}%)`,
        },
      ];
      return { rows, lines, targets };
    } finally {
      await server.stop();
    }
  },
};

export default suite;
