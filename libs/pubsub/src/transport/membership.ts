interface Peer {
  epoch: string;
  lastSeen: number;
}

export interface MembershipEvents {
  added(node: string): void;
  /** `timedOut`: silent for longer than the node timeout (a failure), otherwise a graceful leave. */
  removed(node: string, timedOut: boolean, silentForMs: number): void;
  /** A sign of life from a node that is not listed because the table already holds `maxNodes`. */
  refused(node: string): void;
}

/**
 * The live nodes as this node sees them: any authenticated frame from a node is a sign of life; a bye
 * removes it at once; silence for `timeoutMs` removes it as failed. This node is always a member. The table
 * never holds more than `maxNodes` (this node included): without a secret anyone can claim to be a node, and
 * a flood of invented names must not grow memory, nor the lists every join and leave reports.
 */
export class Membership {
  private readonly peers = new Map<string, Peer>();

  constructor(
    private readonly self: string,
    private readonly timeoutMs: number,
    private readonly maxNodes: number,
    private readonly events: MembershipEvents,
    private readonly now: () => number = Date.now,
  ) {}

  nodes(): string[] {
    return [this.self, ...this.peers.keys()].sort();
  }

  get size(): number {
    return this.peers.size + 1;
  }

  /** Records a sign of life; true when the node is new (or back). */
  seen(node: string, epoch: string): boolean {
    if (node === this.self) return false;
    const peer = this.peers.get(node);
    if (peer !== undefined) {
      peer.lastSeen = this.now();
      peer.epoch = epoch;
      return false;
    }
    if (this.peers.size + 1 >= this.maxNodes) {
      this.events.refused(node);
      return false;
    }
    this.peers.set(node, { epoch, lastSeen: this.now() });
    this.events.added(node);
    return true;
  }

  /** A graceful leave; ignored when it comes from an older run than the one we know. */
  left(node: string, epoch: string): void {
    const peer = this.peers.get(node);
    if (peer === undefined || peer.epoch !== epoch) return;
    this.peers.delete(node);
    this.events.removed(node, false, this.now() - peer.lastSeen);
  }

  /** Removes nodes silent for longer than the timeout. */
  sweep(): void {
    const now = this.now();
    for (const [node, peer] of [...this.peers]) {
      const silentFor = now - peer.lastSeen;
      if (silentFor <= this.timeoutMs) continue;
      this.peers.delete(node);
      this.events.removed(node, true, silentFor);
    }
  }

  /**
   * After this node was itself cut off, nobody's silence says anything about them: everyone gets a fresh
   * timeout from now.
   */
  refreshAll(): void {
    const now = this.now();
    for (const peer of this.peers.values()) peer.lastSeen = now;
  }
}
