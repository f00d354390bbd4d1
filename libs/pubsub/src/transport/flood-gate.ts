/** How many subjects a summary names; the rest are only counted. */
export const NAMED_SUBJECTS = 5;

export interface FloodSummary {
  key: string;
  /** Events held back in the window that just ended. */
  count: number;
  /** The first few of their subjects, for the summary to name. */
  sample: string[];
  windowMs: number;
}

interface Tally {
  admitted: number;
  held: number;
  sample: string[];
}

/**
 * Lets the first `burst` events of a key through per window and holds back the rest, reporting them as one
 * summary per key when the window ends: a flood (say forged heartbeats from thousands of invented node
 * names) costs a few log lines and alerts instead of one per event. Memory is bounded by the keys in use
 * and NAMED_SUBJECTS per key.
 */
export class FloodGate {
  private readonly tallies = new Map<string, Tally>();
  private windowStartedAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly burst: (key: string) => number,
    private readonly windowMs: number,
    private readonly summary: (summary: FloodSummary) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this event should be reported on its own; false when it was counted into the summary. */
  admit(key: string, subject: string): boolean {
    if (this.now() - this.windowStartedAt >= this.windowMs) this.flush();
    if (this.tallies.size === 0) this.windowStartedAt = this.now();
    let tally = this.tallies.get(key);
    if (tally === undefined) this.tallies.set(key, (tally = { admitted: 0, held: 0, sample: [] }));
    if (tally.admitted < this.burst(key)) {
      tally.admitted++;
      return true;
    }
    tally.held++;
    if (tally.sample.length < NAMED_SUBJECTS) tally.sample.push(subject);
    // The summary must come even if the flood stops here: a timer, not the next event, ends the window.
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.windowStartedAt + this.windowMs - this.now())).unref();
    return false;
  }

  /** Reports what is held back now and starts afresh (also on close, so nothing held is left untold). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const tallies = [...this.tallies];
    this.tallies.clear();
    this.windowStartedAt = -Infinity;
    for (const [key, { held, sample }] of tallies) {
      if (held > 0) this.summary({ key, count: held, sample, windowMs: this.windowMs });
    }
  }
}

/** Node names as logs and alerts show them: quoted, escaped, shortened, at most NAMED_SUBJECTS of them. */
export function nameNodes(nodes: readonly string[], total = nodes.length): string {
  const named = nodes.slice(0, NAMED_SUBJECTS).map(quoteNode).join(', ');
  return total > NAMED_SUBJECTS ? `${named} and ${total - Math.min(nodes.length, NAMED_SUBJECTS)} more` : named;
}

/** A node name from the wire, safe to write into a log line: quoted, control characters escaped, shortened. */
export function quoteNode(node: string): string {
  return `'${JSON.stringify(node.length > 80 ? `${node.slice(0, 80)}...` : node).slice(1, -1)}'`;
}
