/**
 * Remembers the ids of accepted messages for as long as a copy of them could still pass the age check, in
 * an insertion-ordered Map bounded by `capacity`. Entries are keyed by message id and hold the message's
 * own timestamp: once that is older than the window, any replay is rejected as expired anyway, so the entry
 * can go.
 */
export class ReplayGuard {
  private readonly acceptedAt = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.acceptedAt.size;
  }

  /** Records `id` and returns true, or returns false when it was already accepted within the window. */
  accept(id: string, timestamp: number, now: number): boolean {
    this.evictExpired(now);
    const previous = this.acceptedAt.get(id);
    if (previous !== undefined) {
      if (!this.isExpired(previous, now)) return false;
      // Stale entry kept behind a younger one: re-insert so that the map stays roughly in arrival order.
      this.acceptedAt.delete(id);
    }
    while (this.acceptedAt.size >= this.capacity) this.evictOldest();
    this.acceptedAt.set(id, timestamp);
    return true;
  }

  private isExpired(timestamp: number, now: number): boolean {
    return now - timestamp > this.windowMs;
  }

  // Timestamps from several nodes arrive roughly, not strictly, in order: stop at the first live entry and
  // leave any expired ones behind it to the capacity bound.
  private evictExpired(now: number): void {
    for (const [id, timestamp] of this.acceptedAt) {
      if (!this.isExpired(timestamp, now)) return;
      this.acceptedAt.delete(id);
    }
  }

  private evictOldest(): void {
    const oldest = this.acceptedAt.keys().next();
    if (!oldest.done) this.acceptedAt.delete(oldest.value);
  }
}

/** Where an authenticated frame sits in its sender's history. */
export interface FrameStamp {
  node: string;
  /** The sender's run: a node that restarts gets a new epoch, and its frame numbers start again from 1. */
  epoch: string;
  /** When that run started (sender's clock); orders the epochs of one node. */
  epochStartedAt: number;
  /** Numbered per epoch, 1, 2, 3... in the order the sender published them. */
  frame: number;
  timestamp: number;
  /** The run's goodbye: nothing after it can be genuine. */
  final: boolean;
}

interface SenderRun {
  epoch: string;
  epochStartedAt: number;
  highWater: number;
  ended: boolean;
  lastTimestamp: number;
}

/**
 * Replay protection for wire frames that holds across restarts and at any rate, in memory bounded by the
 * number of senders rather than by traffic: per sender, only its current epoch and the highest frame number
 * accepted from it (a bus delivers one publisher's frames in order). A frame is a replay when
 * - it was stamped before this receiver started (nobody could have sent it to us then),
 * - its number is at or below its epoch's high-water mark, or its epoch said goodbye,
 * - its epoch is older than the sender's current one (a past run cannot come back).
 * A sender silent for longer than the age window is forgotten: everything it ever sent is expired anyway.
 */
export class EpochReplayGuard {
  private readonly senders = new Map<string, SenderRun>();

  constructor(
    private readonly startedAt: number,
    private readonly windowMs: number,
    private readonly maxSenders = 10_000,
  ) {}

  get size(): number {
    return this.senders.size;
  }

  /** Records the frame and returns true, or returns false when it is a replay. */
  accept(stamp: FrameStamp, now: number): boolean {
    if (stamp.timestamp < this.startedAt) return false;
    const known = this.senders.get(stamp.node);
    if (known !== undefined && known.epoch === stamp.epoch) {
      if (known.ended || stamp.frame <= known.highWater) return false;
      known.highWater = stamp.frame;
      known.ended = stamp.final;
      known.lastTimestamp = Math.max(known.lastTimestamp, stamp.timestamp);
      this.touch(stamp.node, known);
      return true;
    }
    if (known !== undefined && !isNewer(stamp, known)) return false;
    if (known === undefined) this.makeRoom(now);
    this.touch(stamp.node, {
      epoch: stamp.epoch,
      epochStartedAt: stamp.epochStartedAt,
      highWater: stamp.frame,
      ended: stamp.final,
      lastTimestamp: stamp.timestamp,
    });
    return true;
  }

  // Re-inserted on every accepted frame, so the map runs from the longest silent sender to the latest.
  private touch(node: string, run: SenderRun): void {
    this.senders.delete(node);
    this.senders.set(node, run);
  }

  private makeRoom(now: number): void {
    for (const [node, run] of this.senders) {
      if (now - run.lastTimestamp <= this.windowMs && this.senders.size < this.maxSenders) return;
      this.senders.delete(node);
    }
  }
}

function isNewer(stamp: FrameStamp, known: SenderRun): boolean {
  if (stamp.epochStartedAt !== known.epochStartedAt) return stamp.epochStartedAt > known.epochStartedAt;
  return stamp.epoch > known.epoch;
}
