import { CHANNEL_NAMES, type ChannelName } from '../channels/channel-names.js';

/**
 * What a received sequence number means: deliver it (counting `gap` messages lost before it; `late` when it
 * fills a gap counted before; `rebased` when it is so far below what was believed that the belief was wrong),
 * or drop a copy of one already delivered.
 */
export type SequenceVerdict = { deliver: true; gap: number; late?: boolean; rebased?: boolean } | { deliver: false };

export interface SequenceBounds {
  /** A jump of up to this many is always believable (batches in flight, a resend after an ambiguous failure). */
  slack: number;
  /** Beyond the slack, a sender can account for this many messages per millisecond since it was last heard. */
  perMs: number;
  /** Gaps remembered per (node, channel), so that a late message in one is delivered, not taken for a copy. */
  maxGaps: number;
  maxNodes: number;
}

export const DEFAULT_SEQUENCE_BOUNDS: SequenceBounds = { slack: 50_000, perMs: 1_000, maxGaps: 32, maxNodes: 10_000 };

const IN_ORDER: SequenceVerdict = { deliver: true, gap: 0 };
const LATE: SequenceVerdict = { deliver: true, gap: 0, late: true };
const DUPLICATE: SequenceVerdict = { deliver: false };
const REBASED: SequenceVerdict = { deliver: true, gap: 0, rebased: true };

interface Cursor {
  last: number;
  /** Missing ranges below `last`, flat [from, to, from, to...], oldest first. */
  gaps: number[];
}

interface NodeRun {
  epoch: string;
  heardAt: number;
  cursors: Map<ChannelName, Cursor>;
}

/**
 * Per (sending node, channel) the last sequence number delivered. Sequences belong to one run of a node (its
 * epoch): a node that restarts starts again from 1 without looking like a gap. Where nothing is known yet,
 * the first number seen (or announced) is the baseline, since earlier ones were sent before this node was
 * listening.
 *
 * Numbers are not believed blindly, since without a secret anyone can claim any node's name: a jump larger
 * than the sender could have made since it was last heard is `implausible` (the frame is rejected and nothing
 * changes), a number below `last` that falls in a gap is a late genuine message, delivered, and one further
 * below `last` than any resend reaches (the slack) shows that `last` was never genuine: it is the new baseline.
 * So one forged frame can neither make a node's later messages look like copies nor inflate `lost` without
 * bound.
 */
export class SequenceTracker {
  private readonly runs = new Map<string, NodeRun>();
  private readonly bounds: SequenceBounds;

  constructor(
    bounds: Partial<SequenceBounds> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.bounds = { ...DEFAULT_SEQUENCE_BOUNDS, ...bounds };
  }

  /** False when any of the numbers jumps further than the sender could have gone: reject the frame whole. */
  plausible(node: string, epoch: string, numbers: Iterable<readonly [ChannelName, number]>): boolean {
    const run = this.runs.get(node);
    if (run === undefined || run.epoch !== epoch) return true;
    const limit = this.bounds.slack + this.bounds.perMs * Math.max(0, this.now() - run.heardAt);
    for (const [channel, seq] of numbers) {
      const cursor = run.cursors.get(channel);
      if (cursor !== undefined && seq - cursor.last > limit) return false;
    }
    return true;
  }

  /** Call after `plausible` accepted the frame. */
  check(node: string, epoch: string, channel: ChannelName, seq: number): SequenceVerdict {
    const run = this.run(node, epoch);
    const cursor = run.cursors.get(channel);
    if (cursor === undefined) {
      run.cursors.set(channel, { last: seq, gaps: [] });
      return IN_ORDER;
    }
    if (seq <= cursor.last) {
      if (this.fill(cursor, seq)) return LATE;
      if (cursor.last - seq <= this.bounds.slack) return DUPLICATE;
      cursor.last = seq;
      cursor.gaps = [];
      return REBASED;
    }
    const gap = seq - cursor.last - 1;
    if (gap > 0) this.remember(cursor, cursor.last + 1, seq - 1);
    cursor.last = seq;
    return gap === 0 ? IN_ORDER : { deliver: true, gap };
  }

  /**
   * A node announced the highest sequence number it has published per channel (heartbeat, join, bye; a
   * channel left out means none yet): what we have not seen up to there never arrived. Returns those gaps.
   * Call after `plausible` accepted the announcement.
   */
  announced(node: string, epoch: string, sent: ReadonlyMap<ChannelName, number>): [ChannelName, number][] {
    const run = this.run(node, epoch);
    const gaps: [ChannelName, number][] = [];
    for (const channel of CHANNEL_NAMES) {
      const seq = sent.get(channel) ?? 0;
      const cursor = run.cursors.get(channel);
      if (cursor === undefined) {
        run.cursors.set(channel, { last: seq, gaps: [] });
      } else if (seq > cursor.last) {
        gaps.push([channel, seq - cursor.last]);
        this.remember(cursor, cursor.last + 1, seq);
        cursor.last = seq;
      }
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
      if (run === undefined && this.runs.size >= this.bounds.maxNodes) this.runs.delete(this.runs.keys().next().value!);
      run = { epoch, heardAt: 0, cursors: new Map() };
      this.runs.set(node, run);
    }
    run.heardAt = this.now();
    return run;
  }

  private remember(cursor: Cursor, from: number, to: number): void {
    cursor.gaps.push(from, to);
    if (cursor.gaps.length > this.bounds.maxGaps * 2) cursor.gaps.splice(0, 2);
  }

  /** Takes `seq` out of a remembered gap; false when it is in none (a copy of a delivered message). */
  private fill(cursor: Cursor, seq: number): boolean {
    const gaps = cursor.gaps;
    for (let i = 0; i < gaps.length; i += 2) {
      const from = gaps[i];
      const to = gaps[i + 1];
      if (seq < from || seq > to) continue;
      if (from === to) gaps.splice(i, 2);
      else if (seq === from) gaps[i] = seq + 1;
      else if (seq === to) gaps[i + 1] = seq - 1;
      else gaps.splice(i, 2, from, seq - 1, seq + 1, to);
      if (gaps.length > this.bounds.maxGaps * 2) gaps.splice(0, 2);
      return true;
    }
    return false;
  }
}
