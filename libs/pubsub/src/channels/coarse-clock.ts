/**
 * Message timestamps without a Date.now() per publish (about a tenth of a publish's cost). The time read is
 * reused for at most REUSE_LIMIT publications within one synchronous run of code; the first publish after
 * any task or microtask boundary reads the clock again, so timestamps stay well within a millisecond.
 */
const REUSE_LIMIT = 64;

export class CoarseClock {
  /**
   * Starts as a non-number so that V8 stores the field as a pointer: every reader then gets the same number
   * object instead of a fresh copy (see envelope.ts).
   */
  private time: number | undefined = undefined;
  private reads = REUSE_LIMIT;
  private fresh = false;
  private readonly expire = (): void => {
    this.fresh = false;
  };

  now(): number {
    if (!this.fresh) {
      this.fresh = true;
      queueMicrotask(this.expire);
      this.reads = REUSE_LIMIT;
    }
    if (++this.reads > REUSE_LIMIT) {
      this.time = Date.now();
      this.reads = 0;
    }
    return this.time!;
  }
}
