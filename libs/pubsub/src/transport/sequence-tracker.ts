import { CHANNEL_NAMES, type ChannelName } from '../channels/channel-names.js';

/** What a received sequence number means: deliver it (counting `gap` messages lost before it), or drop a copy. */
export type SequenceVerdict = { deliver: true; gap: number } | { deliver: false };

const IN_ORDER: SequenceVerdict = { deliver: true, gap: 0 };
const DUPLICATE: SequenceVerdict = { deliver: false };

interface NodeRun {
  epoch: string;
  last: Map<ChannelName, number>;
}

/**
 * Per (sending node, channel) the last sequence number delivered. Sequences belong to one run of a node (its
 * epoch): a node that restarts starts again from 1 without looking like a gap. Where nothing is known yet,
 * the first number seen (or announced) is the baseline, since earlier ones were sent before this node was
 * listening.
 */
export class SequenceTracker {
  private readonly runs = new Map<string, NodeRun>();

  constructor(private readonly maxNodes = 10_000) {}

  check(node: string, epoch: string, channel: ChannelName, seq: number): SequenceVerdict {
    const { last } = this.run(node, epoch);
    const previous = last.get(channel);
    if (previous !== undefined && seq <= previous) return DUPLICATE;
    last.set(channel, seq);
    if (previous === undefined || seq === previous + 1) return IN_ORDER;
    return { deliver: true, gap: seq - previous - 1 };
  }

  /**
   * A node announced the highest sequence number it has published per channel (heartbeat, join, bye; a
   * channel left out means none yet): what we have not seen up to there never arrived. Returns those gaps.
   */
  announced(node: string, epoch: string, sent: ReadonlyMap<ChannelName, number>): [ChannelName, number][] {
    const { last } = this.run(node, epoch);
    const gaps: [ChannelName, number][] = [];
    for (const channel of CHANNEL_NAMES) {
      const seq = sent.get(channel) ?? 0;
      const previous = last.get(channel);
      if (previous !== undefined && seq > previous) gaps.push([channel, seq - previous]);
      if (previous === undefined || seq > previous) last.set(channel, seq);
    }
    return gaps;
  }

  /** A node that left gracefully: nothing more is expected from its run. */
  forget(node: string, epoch: string): void {
    if (this.runs.get(node)?.epoch === epoch) this.runs.delete(node);
  }

  private run(node: string, epoch: string): NodeRun {
    let run = this.runs.get(node);
    if (run === undefined || run.epoch !== epoch) {
      if (run === undefined && this.runs.size >= this.maxNodes) this.runs.delete(this.runs.keys().next().value!);
      run = { epoch, last: new Map() };
      this.runs.set(node, run);
    }
    return run;
  }
}
