/**
 * One row of the user-path suite, run by the suite's own `compare()` with its five peers (issue 9). With runs of
 * 100,000 publications (the suite's length before it went to 400,000), streaming (c) gave 3.3-5x EventEmitter2
 * where bench/micro/workload.ts gives 6x: the suite's forced full GC
 * before every timed run (collect()) costs each peer's next run a few ms of fixed work, which weighs on ours'
 * ~17 ms run far more than on EventEmitter2's ~110 ms one. FORCED_GC=0 turns collect() into a no-op to show it;
 * PUBLISHES=100000 brings the short runs back. Not a suite of `npm run bench`:
 *   npx tsc -p bench/tsconfig.json && WORKLOAD=c node --expose-gc dist-bench/bench/micro/row.js [streaming|burst]
 */
import { appPeer, nestPeer } from '../lib/app-peers.js';
import { ee2Peer, eePeer, rxjsPeer, type PeerInstance } from '../lib/peers.js';
import { BURST, compare, publicationsFor } from '../lib/throughput.js';
import { fanOut, manyPatterns, wildcardSubscriber, type Workload } from '../lib/workloads.js';

const mode = process.argv[2] === 'burst' ? 'burst' : 'streaming';
const make = { a: wildcardSubscriber, b: fanOut, c: manyPatterns }[process.env.WORKLOAD ?? 'c']!;
const forcedGc = process.env.FORCED_GC !== '0';
// collect() throws without a gc function, so a no-op stands in for it.
if (!forcedGc) globalThis.gc = (() => undefined) as unknown as typeof globalThis.gc;

async function main(): Promise<void> {
  const made = make();
  const w: Workload = { ...made, publishes: Number(process.env.PUBLISHES ?? made.publishes) };
  const peers: PeerInstance[] = [
    await appPeer(w.patterns, { channels: { events: { mailboxSize: BURST } } }),
    ee2Peer(w.patterns),
    await nestPeer(w.patterns),
    rxjsPeer(w.patterns),
    eePeer(w.patterns, w.topics),
  ];
  try {
    const ops = await compare(w, mode, peers);
    const ns = (name: 'ours' | 'ee2'): string => `${(1e9 / ops[name]!).toFixed(0)} ns`;
    console.log(
      `${mode} ${w.label}, ${publicationsFor(w, mode, 'ours')} publications per run, ` +
        `${forcedGc ? 'forced GC before each run (as the suite)' : 'no forced GC'}: ` +
        `ours ${ns('ours')}, EventEmitter2 ${ns('ee2')} per publication (median run), ${(ops.ours! / ops.ee2!).toFixed(2)}x`,
    );
  } finally {
    for (const peer of peers) await peer.dispose();
  }
}

void main();
