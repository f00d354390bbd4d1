/**
 * At-most-once live delivery over Redis on `events` (no retention) and on `audit` (its default retention), paired
 * and interleaved like the Redis suite's ours-vs-plain: every pair of processes stays up and they take turns,
 * round after round (who goes first rotates), so a change in the host's load hits each side alike; the figure is
 * the median of the per-round ratios to `events`, with their range. Also `audit` while a durable group exists on
 * it (created in Redis before the peers start, no consumer reading): every publication is appended to the stream
 * too. Per flood, each side's CPU (sender, receiver, redis-server) is taken as well.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { check, formatOps, median } from '../../lib/measure.js';
import type { Row } from '../../lib/types.js';
import { PeerProcess } from '../redis/peer-process.js';

export type PairedKind = 'events' | 'audit' | 'audit with a group';

export const PAIRED_KINDS: readonly PairedKind[] = ['events', 'audit', 'audit with a group'];

const FLOOD_COUNT = 20_000;
const STEADY_RATE = 2_000;
const STEADY_MS = 3_000;

interface Pair {
  kind: PairedKind;
  sender: PeerProcess;
  receiver: PeerProcess;
}

export interface PairedFlood {
  rate: number;
  /** CPU per 100,000 messages, ms. */
  senderCpu: number;
  receiverCpu: number;
  redisCpu: number;
}

export interface PairedSide {
  floods: PairedFlood[];
  p99s: number[];
  /** Per round, this side's flood rate over `events`'s in the same round (all 1 for `events`). */
  ratios: number[];
}

export type PairedResult = Record<PairedKind, PairedSide>;

async function startPair(kind: PairedKind, url: string, script: string): Promise<Pair> {
  const prefix = `bench-paired-${randomBytes(3).toString('hex')}`;
  const channel = kind === 'events' ? 'events' : 'audit';
  if (kind === 'audit with a group') {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    // A group on a stream without the gate's marker counts as `ready`: the first frame is refused once, then every
    // publication carries its entry.
    await redis.xgroup('CREATE', `${prefix}:stream:audit`, 'bench-idle-group', '$', 'MKSTREAM').finally(() => redis.disconnect());
  }
  const peer = { script, env: { BENCH_CONCURRENCY: '1', BENCH_DURABLE: 'unused', BENCH_CHANNEL: channel, BENCH_RETENTION: 'default' } };
  const receiver = await PeerProcess.start('at-most-once', 'receiver', url, prefix, peer);
  const sender = await PeerProcess.start('at-most-once', 'sender', url, prefix, peer);
  for (let i = 0; i < 200 && (await sender.request<number>('peers')) < 2; i++) await new Promise((r) => setTimeout(r, 25));
  return { kind, sender, receiver };
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1_000;
}

async function flood({ kind, sender, receiver }: Pair, redis: Redis, count = FLOOD_COUNT): Promise<PairedFlood> {
  await receiver.request('reset');
  const before = await Promise.all([sender.request<number>('cpu'), receiver.request<number>('cpu'), redisCpuMs(redis)]);
  const startedAt = await sender.request<number>('flood', { count });
  const got = await receiver.request<{ received: number; lastAt: number }>('collect', { count, quietMs: 5_000 });
  check(got.received === count, `at-most-once on ${kind}: ${got.received} of a ${count}-message flood handled`);
  const after = await Promise.all([sender.request<number>('cpu'), receiver.request<number>('cpu'), redisCpuMs(redis)]);
  const per100k = (i: number) => ((after[i] - before[i]) * 100_000) / count;
  return { rate: got.received / ((got.lastAt - startedAt) / 1_000), senderCpu: per100k(0), receiverCpu: per100k(1), redisCpu: per100k(2) };
}

async function steadyP99({ kind, sender, receiver }: Pair): Promise<number> {
  await receiver.request('reset');
  const sent = await sender.request<{ sent: number }>('steady', { rate: STEADY_RATE, durationMs: STEADY_MS });
  const got = await receiver.request<{ received: number; p99: number }>('collect', { count: sent.sent, quietMs: 2_000 });
  check(got.received === sent.sent, `at-most-once on ${kind}: ${got.received} of ${sent.sent} handled at ${STEADY_RATE}/s`);
  return got.p99;
}

/** `rounds` paired floods and `steadyRounds` paired runs at 2,000 msg/s of every kind, after one warm-up each. */
export async function pairedAtMostOnce(
  url: string,
  script: string,
  rounds: number,
  steadyRounds: number,
  kinds = PAIRED_KINDS,
): Promise<PairedResult> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const pairs: Pair[] = [];
  try {
    for (const kind of kinds) pairs.push(await startPair(kind, url, script));
    const result = Object.fromEntries(kinds.map((kind) => [kind, { floods: [], p99s: [], ratios: [] }])) as unknown as PairedResult;
    for (const pair of pairs) await flood(pair, redis, 4_000); // warm-up
    const rotated = (round: number) => pairs.map((_, i) => pairs[(i + round) % pairs.length]);
    for (let round = 0; round < rounds; round++) {
      const rates = new Map<PairedKind, number>();
      for (const pair of rotated(round)) {
        const measured = await flood(pair, redis);
        result[pair.kind].floods.push(measured);
        rates.set(pair.kind, measured.rate);
      }
      for (const kind of kinds) result[kind].ratios.push(rates.get(kind)! / (rates.get('events') ?? NaN));
    }
    for (let round = 0; round < steadyRounds; round++) {
      for (const pair of rotated(round)) result[pair.kind].p99s.push(await steadyP99(pair));
    }
    return result;
  } finally {
    redis.disconnect();
    await Promise.all(pairs.flatMap((pair) => [pair.sender.stop(), pair.receiver.stop()]));
  }
}

const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

/** One line per kind: rate, ratio to `events` (median and range of the rounds), p99, CPU per 100k. */
export function describePaired(result: PairedResult): string[] {
  return (Object.keys(result) as PairedKind[]).map((kind) => {
    const { floods, p99s, ratios } = result[kind];
    const cpu = (pick: (f: PairedFlood) => number) => median(floods.map(pick)).toFixed(0);
    const rates = floods.map((f) => f.rate / 1_000);
    const vsEvents =
      kind === 'events'
        ? ''
        : `, **${median(ratios).toFixed(2)}x** \`events\` (median of ${ratios.length} paired rounds, ${range(ratios, 2)}x)`;
    return (
      `- At-most-once on \`${kind}\`${kind === 'events' ? ' (no retention)' : ' (default retention)'}: ${median(rates).toFixed(1)} k msg/s (${range(rates, 1)} k)${vsEvents}; ` +
      `p99 at ${STEADY_RATE}/s ${median(p99s).toFixed(2)} ms (${range(p99s, 2)}); CPU per 100k: sender ${cpu((f) => f.senderCpu)} ms, receiver ${cpu((f) => f.receiverCpu)} ms, redis-server ${cpu((f) => f.redisCpu)} ms`
    );
  });
}

/** The retained kinds as table rows: their median rate, and the paired ratio to `events` in the note. */
export function pairedRows(result: PairedResult, table: string): Row[] {
  return (Object.keys(result) as PairedKind[])
    .filter((kind) => kind !== 'events')
    .map((kind) => {
      const { floods, p99s, ratios } = result[kind];
      const events = result.events;
      return {
        table,
        workload: `at-most-once on \`${kind}\` (default retention), paired with \`events\``,
        ours: median(floods.map((f) => f.rate)),
        note:
          `${median(ratios).toFixed(2)}x \`events\` (${formatOps(median(events.floods.map((f) => f.rate)))} msg/s; median of ${ratios.length} interleaved rounds, ${range(ratios, 2)}x); ` +
          `p99 at ${STEADY_RATE}/s ${median(p99s).toFixed(2)} ms (\`events\` ${median(events.p99s).toFixed(2)} ms)`,
      };
    });
}
