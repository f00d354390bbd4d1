/**
 * Message timestamps without a Date.now() per publish (about a tenth of a publish's cost). The time read is
 * reused for at most REUSE_LIMIT publications within one synchronous run of code; the first publish after
 * any task or microtask boundary reads the clock again, so timestamps stay well within a millisecond.
 */
const REUSE_LIMIT = 64;

export class CoarseClock {
  private time = 0;
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
    return this.time;
  }
}
