import { escapingLogger, type PubSubLogger } from './pubsub-logger.js';

interface Window {
  startedAt: number;
  printed: number;
  suppressed: number;
}

/**
 * Logs every event up to a burst per key and window, then counts the rest and reports the count when the
 * next window opens, so a flood of drops or handler errors is still reported without drowning the log.
 */
export class ThrottledLog {
  private readonly windows = new Map<string, Window>();
  private readonly logger: PubSubLogger;

  constructor(
    logger: PubSubLogger,
    private readonly burst = 20,
    private readonly windowMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {
    // Most lines carry types, topics or error texts from messages: escaped, so they cannot forge lines.
    this.logger = escapingLogger(logger);
  }

  warn(key: string, message: string): void {
    if (this.admit(key)) this.logger.warn(message);
  }

  /** `stack` may be a function: formatting a stack is costly, and most events of a flood are not printed. */
  error(key: string, message: string, stack?: string | (() => string | undefined)): void {
    if (this.admit(key)) this.logger.error(message, typeof stack === 'function' ? stack() : stack);
  }

  private admit(key: string): boolean {
    const now = this.now();
    let window = this.windows.get(key);
    if (window === undefined || now - window.startedAt >= this.windowMs) {
      if (window !== undefined && window.suppressed > 0) {
        this.logger.warn(
          `${window.suppressed} more '${key}' events were not logged in the last ${this.windowMs} ms (all are counted in stats)`,
        );
      }
      if (this.windows.size > 10_000) this.windows.clear();
      window = { startedAt: now, printed: 0, suppressed: 0 };
      this.windows.set(key, window);
    }
    if (window.printed < this.burst) {
      window.printed++;
      return true;
    }
    window.suppressed++;
    return false;
  }
}
