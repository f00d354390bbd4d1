/**
 * The bare core, for reference: a `ChannelSet` built by hand (no Nest, no integration layer, no catalogue hook,
 * no self-monitoring), `channel.subscribe` handlers, streaming producer, against EventEmitter2 and node's
 * EventEmitter. Not what an application gets: the user's path is suite 10.
 */
import { ee2Peer, eePeer, ourPeer } from '../lib/peers.js';
import { compare, deliveriesNote } from '../lib/throughput.js';
import type { Row, Suite } from '../lib/types.js';
import { WORKLOADS, type Workload } from '../lib/workloads.js';

const TABLE = 'Bare core (a ChannelSet built by hand, no Nest, no integration layer), streaming producer';

async function row(w: Workload): Promise<Row> {
  const peers = [ourPeer(w.patterns, w.publishes), ee2Peer(w.patterns), eePeer(w.patterns, w.topics)];
  try {
    const ops = await compare(w, 'streaming', peers);
    return { table: TABLE, workload: w.label, ours: ops.ours!, ee2: ops.ee2, ee: ops.ee, note: deliveriesNote(w) };
  } finally {
    for (const peer of peers) await peer.dispose();
  }
}

const suite: Suite = {
  name: 'bare-core',
  async run() {
    const rows: Row[] = [];
    for (const make of WORKLOADS) rows.push(await row(make()));
    return { rows, lines: [] };
  },
};
export default suite;
