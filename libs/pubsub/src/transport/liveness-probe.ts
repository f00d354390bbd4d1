/**
 * Tells a connection that is open but gets no answers (a frozen server, a stalled host, a black-holed
 * network) from one that is merely quiet: `tick()` sends a PING unless one is outstanding; when a PING stays
 * unanswered for `deadlineMs` and nothing else was heard on the connection meanwhile, the connection is
 * unresponsive. Any later answer makes it responsive again. A busy connection (replies queued behind a
 * burst) is not unresponsive: every reply counts as a sign of life.
 */
export class LivenessProbe {
  private sentAt: number | undefined;
  private heardAt = 0;
  private unresponsive = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly deadlineMs: number,
    /** Called when the connection stops or starts answering again. */
    private readonly changed: (responsive: boolean) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get responsive(): boolean {
    return !this.unresponsive;
  }

  /** A reply or a message arrived on the connection. */
  heard(): void {
    this.heardAt = this.now();
    if (!this.unresponsive) return;
    this.unresponsive = false;
    this.changed(true);
  }

  tick(): void {
    if (this.sentAt !== undefined) return;
    const sentAt = (this.sentAt = this.now());
    const settled = (answered: boolean) => {
      if (this.sentAt !== sentAt) return;
      this.sentAt = undefined;
      this.clearTimer();
      if (answered) this.heard();
    };
    this.ping().then(
      () => settled(true),
      () => settled(false),
    );
    this.check(sentAt, this.deadlineMs);
  }

  /** The connection was (re)established or closed: what was outstanding says nothing any more. */
  reset(): void {
    this.sentAt = undefined;
    this.clearTimer();
    this.unresponsive = false;
  }

  stop(): void {
    this.reset();
  }

  private check(sentAt: number, waitMs: number): void {
    this.clearTimer();
    // After the timer, one more turn of the event loop: if this process itself was stalled, the answer may
    // be waiting in the socket, and the poll phase reads it before setImmediate callbacks run.
    this.timer = setTimeout(() => setImmediate(() => this.expire(sentAt)), Math.max(0, waitMs));
    this.timer.unref();
  }

  private expire(sentAt: number): void {
    if (this.sentAt !== sentAt || this.unresponsive) return;
    const quietFor = this.now() - Math.max(sentAt, this.heardAt);
    if (quietFor < this.deadlineMs) {
      this.check(sentAt, this.deadlineMs - quietFor);
      return;
    }
    this.unresponsive = true;
    this.changed(false);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
