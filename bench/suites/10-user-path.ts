/**
 * The user's path: `PubSubModule.forRoot()` in a Nest application context (integration layer, catalogue hook and
 * self-monitoring on, handlers bound by @OnEvents), against EventEmitter2 configured as @nestjs/event-emitter
 * does, @nestjs/event-emitter itself with @OnEvent handlers, an rxjs Subject with a filter per subscriber, and
 * node's EventEmitter on exact topics (the ceiling). Both producer modes, the three workloads.
 */
import { check, yieldToLoop } from '../lib/measure.js';
import { appPeer, nestPeer } from '../lib/app-peers.js';
import { ee2Peer, eePeer, rxjsPeer, type PeerInstance } from '../lib/peers.js';
import { BURST, CHUNK, NEST_BURST_DIVISOR, compare, cpuShare, deliveriesNote, type ProducerMode } from '../lib/throughput.js';
import type { Row, Suite } from '../lib/types.js';
import { WORKLOADS, fanOut, type Workload } from '../lib/workloads.js';

const TABLE = "User's path: PubSubModule.forRoot() defaults in a Nest application";
// The only option changed from the defaults: a mailbox big enough for the whole burst (the default 10,000 would
// rightly drop most of a million messages published without yielding).
const OPTIONS = { channels: { events: { mailboxSize: BURST } } };

async function peersFor(w: Workload): Promise<PeerInstance[]> {
  return [
    await appPeer(w.patterns, OPTIONS),
    ee2Peer(w.patterns),
    await nestPeer(w.patterns),
    rxjsPeer(w.patterns),
    eePeer(w.patterns, w.topics),
  ];
}

async function row(w: Workload, mode: ProducerMode): Promise<Row> {
  const peers = await peersFor(w);
  try {
    const ops = await compare(w, mode, peers);
    const reduced =
      (w.reducedFor?.rxjs === undefined ? '' : `; rxjs runs 1/${w.reducedFor.rxjs} of the publications`) +
      (mode === 'burst'
        ? `; @nestjs/event-emitter bursts of ${(BURST / NEST_BURST_DIVISOR).toLocaleString('en')} (a million exhaust its heap)`
        : '');
    return {
      table: TABLE,
      workload: `${mode === 'burst' ? 'burst' : 'streaming'} ${w.label}`,
      ours: ops.ours!,
      ee2: ops.ee2,
      nest: ops.nest,
      rxjs: ops.rxjs,
      ee: ops.ee,
      targetVsEe2: mode === 'burst' ? 1 : w.targetVsEe2,
      note: deliveriesNote(w) + reduced,
    };
  } finally {
    for (const peer of peers) await peer.dispose();
  }
}

/** Fan-out with every default (mailboxes of 10,000, drop-oldest): does delivery keep up with a streaming producer? */
async function defaultMailboxDrops(w: Workload): Promise<string> {
  const peer = await appPeer(w.patterns);
  let dropped: number;
  let delivered: number;
  try {
    peer.expect(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < w.publishes; i++) {
      peer.publish(w.topics[i % w.topics.length]);
      if (i % CHUNK === CHUNK - 1) await yieldToLoop();
    }
    check(await peer.channel.drain(30_000), 'default mailboxes: did not drain');
    const stats = peer.channel.stats();
    dropped = stats.dropped;
    delivered = stats.delivered;
  } finally {
    await peer.dispose();
  }
  const total = delivered + dropped;
  check(
    total === w.publishes * w.patterns.length,
    `default mailboxes: ${total} of ${w.publishes * w.patterns.length} deliveries accounted for`,
  );
  return (
    `- Streaming producer as (b), every default (mailboxes of 10,000, drop-oldest): ${dropped.toLocaleString('en')} of ${total.toLocaleString('en')} deliveries dropped` +
    (dropped > 0
      ? ` (**${((dropped / total) * 100).toFixed(0)}%: delivery serves fewer handler calls per loop turn than the producer creates**)`
      : '')
  );
}

const suite: Suite = {
  name: 'user-path',
  async run() {
    const rows: Row[] = [];
    cpuShare.cpuMs = cpuShare.wallMs = 0;
    for (const mode of ['streaming', 'burst'] as const) for (const make of WORKLOADS) rows.push(await row(make(), mode));
    const share = cpuShare.cpuMs / cpuShare.wallMs;
    const lines = [
      await defaultMailboxDrops(fanOut()),
      `- User's path: streaming = ${CHUNK} publications per setImmediate; burst = ${BURST.toLocaleString('en')} publications in one synchronous loop, then the drain; ` +
        `ours runs \`PubSubModule.forRoot({ channels: { events: { mailboxSize: ${BURST.toLocaleString('en')} } } })\` (every other option default: integration layer, catalogue hook, ` +
        `self-monitoring and broadcasters on), subscribed with @OnEvents; @nestjs/event-emitter runs \`EventEmitterModule.forRoot({ wildcard: true, delimiter: ':' })\` with @OnEvent; ` +
        `the process got ${(share * 100).toFixed(0)}% of a CPU during timed runs` +
        (share < 0.85 ? ' (**busy host: absolute figures are pessimistic, ratios stay comparable as peers are interleaved**)' : ''),
    ];
    return { rows, lines };
  },
};
export default suite;
