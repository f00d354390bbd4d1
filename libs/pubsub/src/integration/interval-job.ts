import type { SchedulerRegistry } from '@nestjs/schedule';
import { describeError, describeStack } from '../describe-error.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';

/**
 * A named interval kept in the SchedulerRegistry so users can see and inspect it. A tick still running when
 * the next is due is skipped, never overlapped; `rearm` applies a new period at once.
 */
export class IntervalJob {
  private running = false;
  private armed = false;

  constructor(
    readonly name: string,
    private readonly registry: SchedulerRegistry,
    private readonly periodMs: () => number,
    private readonly tick: () => void | Promise<void>,
    private readonly logger: PubSubLogger,
  ) {}

  get isArmed(): boolean {
    return this.armed;
  }

  arm(): void {
    this.disarm();
    const handle = setInterval(() => void this.runTick(), this.periodMs());
    handle.unref?.();
    this.registry.addInterval(this.name, handle);
    this.armed = true;
  }

  disarm(): void {
    if (this.registry.doesExist('interval', this.name)) this.registry.deleteInterval(this.name);
    this.armed = false;
  }

  /** Runs one tick now unless one is already running; resolves when it is done. */
  async runTick(): Promise<void> {
    if (this.running) {
      this.logger.warn(`${this.name}: previous tick still running, this one is skipped`);
      return;
    }
    this.running = true;
    try {
      await this.tick();
    } catch (error) {
      this.logger.error(`${this.name} failed: ${describeError(error)}`, describeStack(error));
    } finally {
      this.running = false;
    }
  }
}
