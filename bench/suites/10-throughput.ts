/**
 * Throughput of channel.publish + channel.subscribe handlers against EventEmitter2 (as @nestjs/event-emitter
 * configures it) and node's EventEmitter on the same subscriptions and publications. Every run is timed from
 * the first publish until every handler has run; delivery counts must be equal between peers.
 */
import { check, collect, median, now, prng, yieldToLoop } from '../lib/measure.js';
import { newChannelSet } from '../lib/ours.js';
import { ee2Peer, eePeer, ourPeer, referenceMatch, type PeerInstance, type PeerName } from '../lib/peers.js';
import type { Row, Suite } from '../lib/types.js';

interface Workload {
  label: string;
  patterns: string[];
  /** Published round-robin. */
  topics: string[];
  publishes: number;
  targetVsEe2: number;
}

const WARMUP_RUNS = 2;
const MEASURED_RUNS = 7;
/** Publications between two yields to the event loop, as a busy producer would do. */
const CHUNK = 1024;

export function wildcardSubscriber(): Workload {
  return {
    label: '(a) 1 trailing-wildcard sub, deep topics',
    patterns: ['subscription_health:*'],
    topics: [
      'subscription_health:production_store:user_projection',
      'subscription_health:production_store:order_projection:partition_3',
      'subscription_health:staging_store:audit_projection',
      'subscription_health:production_store:billing_projection:shard_7:replica_2',
    ],
    publishes: 200_000,
    targetVsEe2: 2,
  };
}

export function fanOut(): Workload {
  return {
    label: '(b) fan-out to 10 subs of one topic',
    patterns: Array.from({ length: 10 }, () => 'cluster:health'),
    topics: ['cluster:health'],
    publishes: 100_000,
    targetVsEe2: 2,
  };
}

/** 10,000 distinct patterns (exact, inner `*`, trailing `*`) over 1,000 topics `svc<a>:op<b>:key<c>`. */
export function manyPatterns(): Workload {
  const topics: string[] = [];
  for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) for (let c = 0; c < 10; c++) topics.push(`svc${a}:op${b}:key${c}`);
  const random = prng(20_251_123);
  const pick = (n: number): number => Math.floor(random() * n);
  const patterns = new Set<string>();
  while (patterns.size < 10_000) {
    const kind = random();
    let pattern: string;
    if (kind < 0.5) {
      pattern = `svc${pick(20)}:op${pick(20)}:key${pick(50)}`; // exact; 1 in 20 is a published topic
    } else if (kind < 0.75) {
      const form = pick(4);
      if (form === 0) pattern = `svc${pick(20)}:*:key${pick(50)}`;
      else if (form === 1) pattern = `*:op${pick(20)}:key${pick(50)}`;
      else if (form === 2) pattern = `*:*:key${pick(50)}`;
      else pattern = `svc${pick(20)}:*:key${pick(50)}:v${pick(10)}`; // deeper than any topic
    } else {
      const form = pick(4);
      if (form === 0) pattern = `svc${pick(40)}:*`;
      else if (form === 1) pattern = `svc${pick(40)}:op${pick(40)}:*`;
      else if (form === 2) pattern = `*:op${pick(40)}:*`;
      // EE2's `**` also matches zero segments, so a trailing pattern must not sit on a published topic.
      else pattern = `svc${pick(20)}:op${pick(20)}:key${10 + pick(40)}:*`;
    }
    patterns.add(pattern);
  }
  return { label: '(c) 10,000 patterns over 1,000 topics', patterns: [...patterns], topics, publishes: 100_000, targetVsEe2: 5 };
}

export function expectedDeliveries(w: Workload): number {
  const patterns = w.patterns.map((pattern) => pattern.split(':'));
  const perTopic = w.topics.map((topic) => {
    const segments = topic.split(':');
    return patterns.reduce((n, pattern) => n + (referenceMatch(pattern, segments) ? 1 : 0), 0);
  });
  let total = 0;
  for (let i = 0; i < w.publishes; i++) total += perTopic[i % w.topics.length];
  return total;
}

/** CPU time the process got during timed runs over their wall time: well under 100% means a busy host. */
const share = { cpuMs: 0, wallMs: 0 };

async function timedRun(peer: PeerInstance, w: Workload, deliveries: number): Promise<number> {
  await collect();
  peer.expect(deliveries);
  const { topics, publishes } = w;
  const cpu = process.cpuUsage();
  const started = now();
  for (let i = 0; i < publishes; i++) {
    peer.publish(topics[i % topics.length]);
    if (i % CHUNK === CHUNK - 1) await yieldToLoop();
  }
  await peer.settle();
  const wallMs = now() - started;
  const used = process.cpuUsage(cpu);
  share.cpuMs += (used.user + used.system) / 1000;
  share.wallMs += wallMs;
  return wallMs;
}

export async function measure(w: Workload): Promise<Row> {
  const deliveries = expectedDeliveries(w);
  check(deliveries > 0, `${w.label} delivers nothing`);
  const peers: PeerInstance[] = [ourPeer(w.patterns, w.publishes), ee2Peer(w.patterns), eePeer(w.patterns, w.topics)];
  const times: Record<PeerName, number[]> = { ours: [], ee2: [], ee: [] };
  for (let i = 0; i < WARMUP_RUNS; i++) for (const peer of peers) await timedRun(peer, w, deliveries);
  for (let round = 0; round < MEASURED_RUNS; round++) {
    // Rotate the order so no peer always runs right after another one's garbage.
    for (let k = 0; k < peers.length; k++) {
      const peer = peers[(round + k) % peers.length];
      times[peer.name].push(await timedRun(peer, w, deliveries));
    }
  }
  const runs = WARMUP_RUNS + MEASURED_RUNS;
  for (const peer of peers) {
    check(peer.total === deliveries * runs, `${w.label}: ${peer.name} delivered ${peer.total}, expected ${deliveries * runs}`);
    peer.verify();
    peer.dispose();
  }
  const ops = (name: PeerName): number => w.publishes / (median(times[name]) / 1000);
  return {
    workload: w.label,
    ours: ops('ours'),
    ee2: ops('ee2'),
    ee: ops('ee'),
    targetVsEe2: w.targetVsEe2,
    note: `${(deliveries / w.publishes).toFixed(2)} deliveries/publish, equal on all peers`,
  };
}

/**
 * The fan-out workload once more with default mailboxes (10,000, drop-oldest), to show whether the scheduler
 * keeps up with the producer or the mailboxes overflow.
 */
async function defaultMailboxDrops(w: Workload): Promise<string> {
  const set = newChannelSet();
  const channel = set.channel('events');
  for (const pattern of w.patterns) channel.subscribe(pattern, () => {});
  for (let i = 0; i < w.publishes; i++) {
    channel.publish(w.topics[i % w.topics.length], 'bench_event', null);
    if (i % CHUNK === CHUNK - 1) await yieldToLoop();
  }
  check(await set.drain(30_000), 'default mailboxes: did not drain');
  const { delivered, dropped } = channel.stats();
  set.close();
  const total = delivered + dropped;
  return (
    `- Same producer as (b) with default mailboxes (10,000, drop-oldest): ${dropped.toLocaleString('en')} of ${total.toLocaleString('en')} deliveries dropped` +
    (dropped > 0 ? ` (**${((dropped / total) * 100).toFixed(0)}%: the scheduler serves fewer handler calls per loop turn than the producer creates**)` : '')
  );
}

const suite: Suite = {
  name: 'throughput',
  async run() {
    const rows: Row[] = [];
    share.cpuMs = share.wallMs = 0;
    for (const make of [wildcardSubscriber, fanOut, manyPatterns]) rows.push(await measure(make()));
    const cpuShare = share.cpuMs / share.wallMs;
    const lines = [
      await defaultMailboxDrops(fanOut()),
      `- Throughput runs: ${WARMUP_RUNS} warm-up + ${MEASURED_RUNS} measured per peer, interleaved; publications in chunks of ${CHUNK} with a setImmediate yield between chunks; ` +
        `the process got ${(cpuShare * 100).toFixed(0)}% of a CPU during timed runs` +
        (cpuShare < 0.85 ? ' (**busy host: absolute figures are pessimistic, ratios stay comparable as peers are interleaved**)' : ''),
    ];
    return { rows, lines };
  },
};
export default suite;
