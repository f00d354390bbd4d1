/**
 * Micro-benchmark of one user-path workload (issue 9): channel.publish round-robin over the workload's topics,
 * then the drain, on the forRoot() events channel (or `bare`, a hand-built ChannelSet), against EventEmitter2
 * as @nestjs/event-emitter configures it; best process CPU time per round. WORKLOAD=a|b|c (default c), PUBLISHES=n
 * (default 200,000 for a burst, 100,000 streaming).
 * Not a suite of `npm run bench`: run it alone, under a profiler if wanted:
 *   npx tsc -p bench/tsconfig.json && WORKLOAD=c node dist-bench/bench/micro/workload.js [streaming|burst] [rounds] [ours|bare|ee2]
 */
import { appPeer } from '../lib/app-peers.js';
import { ee2Peer, ourPeer, type PeerInstance } from '../lib/peers.js';
import { yieldToLoop } from '../lib/measure.js';
import { expectedDeliveries, fanOut, manyPatterns, wildcardSubscriber } from '../lib/workloads.js';

const mode = process.argv[2] === 'burst' ? 'burst' : 'streaming';
const rounds = Number(process.argv[3] ?? 20);
const only = process.argv[4];
const workload = { a: wildcardSubscriber, b: fanOut, c: manyPatterns }[process.env.WORKLOAD ?? 'c']!();
const PUBLISHES = Number(process.env.PUBLISHES ?? (mode === 'burst' ? 200_000 : 100_000));
const CHUNK = 1024;
const expected = expectedDeliveries(workload, PUBLISHES);

async function once(peer: PeerInstance): Promise<number> {
  peer.expect(expected);
  const { topics } = workload;
  const started = process.cpuUsage();
  for (let i = 0; i < PUBLISHES; i++) {
    peer.publish(topics[i % topics.length]);
    if (mode === 'streaming' && (i + 1) % CHUNK === 0) await yieldToLoop();
  }
  await peer.settle();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const peers: PeerInstance[] = [];
  if (only === 'bare') peers.push(ourPeer(workload.patterns, PUBLISHES));
  else if (only !== 'ee2') peers.push(await appPeer(workload.patterns, { channels: { events: { mailboxSize: PUBLISHES } } }));
  if (only !== 'ours' && only !== 'bare') peers.push(ee2Peer(workload.patterns));
  const best = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    for (const peer of peers) {
      const ms = await once(peer);
      best.set(peer.name, Math.min(best.get(peer.name) ?? Infinity, ms));
    }
  }
  console.log(`${workload.label}: ${(expected / PUBLISHES).toFixed(2)} deliveries per publication`);
  for (const [name, ms] of best)
    console.log(
      `${mode} ${name}: best ${ms.toFixed(1)} ms CPU per ${PUBLISHES} publications (${((ms * 1e6) / PUBLISHES).toFixed(0)} ns each)`,
    );
  if (best.has('ours') && best.has('ee2')) console.log(`ours/ee2 ${(best.get('ee2')! / best.get('ours')!).toFixed(2)}x`);
  for (const peer of peers) {
    peer.verify();
    await peer.dispose();
  }
}

void main();
