/** The longest wait between two attempts unless a subscription says otherwise. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;

export interface RetryBackoff {
  /** The wait before the first retry; 0 retries at once (no timer). */
  retryDelayMs: number;
  retryMaxDelayMs: number;
}

/**
 * The wait before retry number `retry` (1 for the first): `baseMs` doubled per retry, capped at `maxMs`, with
 * "equal jitter" (between half and all of that) so that subscriptions failing together do not retry in step.
 */
export function retryDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  if (baseMs <= 0) return 0;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 52));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The retries of one subscription waiting out their backoff, on timers that do not keep the process alive: a
 * retry waiting at shutdown is delivered within the drain or cancelled (and counted) by its owner.
 */
export class WaitingRetries {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  /** Runs `retry` after `ms` unless cancelled first. */
  start(ms: number, retry: () => void): void {
    const timers = this.timers;
    const timer = setTimeout(() => {
      timers.delete(timer);
      retry();
    }, ms);
    timer.unref?.();
    timers.add(timer);
  }

  /** Cancels every waiting retry; returns how many there were, for the owner to account for. */
  cancel(): number {
    const timers = this.timers;
    if (timers.size === 0) return 0;
    const count = timers.size;
    timers.forEach(clearTimeout);
    timers.clear();
    return count;
  }
}
