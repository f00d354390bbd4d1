/**
 * The loop the micro-benchmarks share: each peer publishes round-robin over the topics (streaming: a yield every
 * CHUNK publications; burst: none), then drains; the best process CPU time over the rounds is printed per peer,
 * with ours/EE2. Peers: ours through forRoot() (or `bare`, a hand-built ChannelSet) and EventEmitter2 as
 * @nestjs/event-emitter configures it; `only` picks one of ours | bare | ee2.
 */
import { appPeer } from '../lib/app-peers.js';
import { yieldToLoop } from '../lib/measure.js';
import { ee2Peer, ourPeer, type PeerInstance } from '../lib/peers.js';

const CHUNK = 1024;

export interface MicroRun {
  mode: 'streaming' | 'burst';
  rounds: number;
  only: string | undefined;
  patterns: string[];
  topics: readonly string[];
  publishes: number;
  /** Handler calls the publications must make on every peer. */
  expected: number;
}

async function cpuOnce(peer: PeerInstance, run: MicroRun): Promise<number> {
  peer.expect(run.expected);
  const { topics, publishes, mode } = run;
  const started = process.cpuUsage();
  for (let i = 0; i < publishes; i++) {
    peer.publish(topics[i % topics.length]);
    if (mode === 'streaming' && (i + 1) % CHUNK === 0) await yieldToLoop();
  }
  await peer.settle();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

export async function bestCpu(run: MicroRun): Promise<void> {
  const { only, patterns, publishes, mode } = run;
  const peers: PeerInstance[] = [];
  if (only === 'bare') peers.push(ourPeer(patterns, publishes));
  else if (only !== 'ee2') peers.push(await appPeer(patterns, { channels: { events: { mailboxSize: publishes } } }));
  if (only !== 'ours' && only !== 'bare') peers.push(ee2Peer(patterns));
  const best = new Map<string, number>();
  for (let r = 0; r < run.rounds; r++) {
    for (const peer of peers) best.set(peer.name, Math.min(best.get(peer.name) ?? Infinity, await cpuOnce(peer, run)));
  }
  console.log(`${(run.expected / publishes).toFixed(2)} deliveries per publication`);
  for (const [name, ms] of best)
    console.log(
      `${mode} ${name}: best ${ms.toFixed(1)} ms CPU per ${publishes} publications (${((ms * 1e6) / publishes).toFixed(0)} ns each)`,
    );
  if (best.has('ours') && best.has('ee2')) console.log(`ours/ee2 ${(best.get('ee2')! / best.get('ours')!).toFixed(2)}x`);
  for (const peer of peers) {
    peer.verify();
    await peer.dispose();
  }
}
