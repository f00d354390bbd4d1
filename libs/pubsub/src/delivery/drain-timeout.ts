import { ERRORS } from '../error-messages.js';
import type { ThrottledLog } from './throttled-log.js';

/** The longest delay setTimeout and setInterval honour (2^31 - 1 ms, ~24.8 days); beyond it they fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

/**
 * What `drain(timeoutMs)` waits for: the default when omitted, any number from 0 up (`Infinity`: no limit).
 * NaN, a negative or a non-number is a programming error, but drain returns a promise that callers await
 * rather than catch: it waits for the default instead and logs a warning.
 */
export function drainTimeoutOf(timeoutMs: unknown, log: ThrottledLog): number {
  if (timeoutMs === undefined) return DEFAULT_DRAIN_TIMEOUT_MS;
  if (typeof timeoutMs === 'number' && timeoutMs >= 0) return timeoutMs;
  log.warn('drain-timeout', ERRORS.invalidDrainTimeout(timeoutMs, DEFAULT_DRAIN_TIMEOUT_MS));
  return DEFAULT_DRAIN_TIMEOUT_MS;
}

/**
 * Calls `onTimeout` once `ms` have passed (never for Infinity), chaining timers for delays setTimeout cannot
 * take in one. Returns the function that cancels it.
 */
export function startDeadline(ms: number, onTimeout: () => void): () => void {
  if (ms === Number.POSITIVE_INFINITY) return () => {};
  let timer: ReturnType<typeof setTimeout>;
  const arm = (remaining: number): void => {
    const step = Math.min(remaining, MAX_TIMER_MS);
    timer = setTimeout(() => (remaining > step ? arm(remaining - step) : onTimeout()), step);
  };
  arm(ms);
  return () => clearTimeout(timer);
}
