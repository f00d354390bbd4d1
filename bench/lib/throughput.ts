/**
 * Throughput of one workload on several peers, interleaved: every run is timed from the first publish until every
 * handler has run, and every peer must make exactly the handler calls the reference matcher predicts.
 */
import { check, collect, median, now, yieldToLoop } from './measure.js';
import type { PeerInstance, PeerName } from './peers.js';
import { expectedDeliveries, type Workload } from './workloads.js';

/**
 * streaming: a busy producer yielding to the event loop every CHUNK publications;
 * burst: BURST publications in one synchronous loop, then the time until every handler has run.
 */
export type ProducerMode = 'streaming' | 'burst';

export const CHUNK = 1024;
export const BURST = 1_000_000;
const RUNS: Record<ProducerMode, { warmUp: number; measured: number }> = {
  streaming: { warmUp: 2, measured: 7 },
  burst: { warmUp: 1, measured: 5 },
};

/** CPU time the process got during timed runs over their wall time: well under 100% means a busy host. */
export const cpuShare = { cpuMs: 0, wallMs: 0 };

/**
 * Each @OnEvent call of @nestjs/event-emitter is an async wrapper suspended at an `await` until the burst yields:
 * a million publications to ten listeners keep ten million of them alive and exhaust a 4 GB heap.
 */
export const NEST_BURST_DIVISOR = 10;

export function publicationsFor(w: Workload, mode: ProducerMode, peer: PeerName): number {
  const full = mode === 'burst' ? BURST : w.publishes;
  const divisor = (w.reducedFor?.[peer] ?? 1) * (mode === 'burst' && peer === 'nest' ? NEST_BURST_DIVISOR : 1);
  return Math.max(1, Math.round(full / divisor));
}

async function timedRun(
  peer: PeerInstance,
  topics: readonly string[],
  publishes: number,
  deliveries: number,
  mode: ProducerMode,
): Promise<number> {
  await collect();
  peer.expect(deliveries);
  const cpu = process.cpuUsage();
  const started = now();
  if (mode === 'burst') {
    for (let i = 0; i < publishes; i++) peer.publish(topics[i % topics.length]);
  } else {
    for (let i = 0; i < publishes; i++) {
      peer.publish(topics[i % topics.length]);
      if (i % CHUNK === CHUNK - 1) await yieldToLoop();
    }
  }
  await peer.settle();
  const wallMs = now() - started;
  const used = process.cpuUsage(cpu);
  cpuShare.cpuMs += (used.user + used.system) / 1000;
  cpuShare.wallMs += wallMs;
  return wallMs;
}

/** Publications per second of each peer (median run), after checking their delivery counts. */
export async function compare(w: Workload, mode: ProducerMode, peers: PeerInstance[]): Promise<Partial<Record<PeerName, number>>> {
  const plan = peers.map((peer) => {
    const publishes = publicationsFor(w, mode, peer.name);
    return { peer, publishes, deliveries: expectedDeliveries(w, publishes), times: [] as number[] };
  });
  const { warmUp, measured } = RUNS[mode];
  for (let i = 0; i < warmUp; i++) for (const p of plan) await timedRun(p.peer, w.topics, p.publishes, p.deliveries, mode);
  for (let round = 0; round < measured; round++) {
    // Rotate the order so no peer always runs right after another one's garbage.
    for (let k = 0; k < plan.length; k++) {
      const p = plan[(round + k) % plan.length];
      p.times.push(await timedRun(p.peer, w.topics, p.publishes, p.deliveries, mode));
    }
  }
  const ops: Partial<Record<PeerName, number>> = {};
  process.stderr.write(
    `[bench]   ${mode} ${w.label}: ${plan.map((p) => `${p.peer.name} ${median(p.times).toFixed(0)} ms/${p.publishes}`).join(', ')}\n`,
  );
  for (const p of plan) {
    check(p.deliveries > 0, `${w.label} delivers nothing`);
    const expected = p.deliveries * (warmUp + measured);
    check(p.peer.total === expected, `${w.label} (${mode}): ${p.peer.name} made ${p.peer.total} handler calls, expected ${expected}`);
    p.peer.verify();
    ops[p.peer.name] = p.publishes / (median(p.times) / 1000);
  }
  return ops;
}

export function deliveriesNote(w: Workload): string {
  return `${(expectedDeliveries(w, w.topics.length) / w.topics.length).toFixed(2)} deliveries/publish, equal on all peers`;
}
