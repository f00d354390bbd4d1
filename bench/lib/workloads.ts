import { prng } from './measure.js';
import { referenceMatch, type PeerName } from './peers.js';

export interface Workload {
  label: string;
  patterns: string[];
  /** Published round-robin. */
  topics: string[];
  /**
   * Publications per streaming run. Each timed run follows a forced full collection, after which every library's
   * first milliseconds cost more (V8 recompiles what the collection flushed): runs of 100,000 (about 17 ms for
   * ours on (c)) charged that to ours at about 35 % of a run and to EventEmitter2's 100 ms runs at 9 %.
   */
  publishes: number;
  /** Minimum ours/EE2 ratio promised for a streaming producer. */
  targetVsEe2: number;
  /**
   * Peers too slow for the full run (a filter per subscriber over 10,000 subscribers) publish this many times
   * fewer messages; ops/s stay comparable, the run stays short.
   */
  reducedFor?: Partial<Record<PeerName, number>>;
}

/** Long enough that a run's start after the forced collection does not weigh on one peer more than another. */
const STREAMING_RUN = 400_000;

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
    publishes: STREAMING_RUN,
    targetVsEe2: 2,
  };
}

export function fanOut(): Workload {
  return {
    label: '(b) fan-out to 10 subs of one topic',
    patterns: Array.from({ length: 10 }, () => 'cluster:health'),
    topics: ['cluster:health'],
    publishes: STREAMING_RUN,
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
  return {
    label: '(c) 10,000 patterns over 1,000 topics',
    patterns: [...patterns],
    topics,
    publishes: STREAMING_RUN,
    targetVsEe2: 5,
    reducedFor: { rxjs: 2_000 },
  };
}

export const WORKLOADS = [wildcardSubscriber, fanOut, manyPatterns];

/** Handler calls `publishes` round-robin publications cause, by the reference matcher (not the library's). */
export function expectedDeliveries(w: Workload, publishes: number): number {
  const patterns = w.patterns.map((pattern) => pattern.split(':'));
  const perTopic = w.topics.map((topic) => {
    const segments = topic.split(':');
    return patterns.reduce((n, pattern) => n + (referenceMatch(pattern, segments) ? 1 : 0), 0);
  });
  let total = 0;
  for (let i = 0; i < publishes; i++) total += perTopic[i % w.topics.length];
  return total;
}
