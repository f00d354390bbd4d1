/**
 * What a send queue does after the bus refused a frame (the stream gate): it sends nothing new until every frame
 * in flight is answered (Redis refuses those too, so the refused ones are the rest of its pipeline), waits the
 * longest wait a refusal asked for, then resumes (re-sending the refused frames first, in order).
 */
export class RefusalPause {
  private state: 'none' | 'draining' | 'waiting' = 'none';
  private waitMs = 0;
  private timer: NodeJS.Timeout | undefined;

  /** Nothing may be sent while true. */
  get active(): boolean {
    return this.state !== 'none';
  }

  refused(waitMs: number): void {
    if (this.state === 'none') this.state = 'draining';
    this.waitMs = Math.max(this.waitMs, waitMs);
  }

  /** After each answer: once nothing is in flight, `resume` runs after the wait. */
  answered(inFlight: number, resume: () => void): void {
    if (this.state !== 'draining' || inFlight > 0) return;
    this.state = 'waiting';
    const done = () => {
      this.state = 'none';
      this.waitMs = 0;
      resume();
    };
    if (this.waitMs > 0) this.timer = setTimeout(done, this.waitMs);
    else done();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.state = 'none';
    this.waitMs = 0;
  }
}
