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
