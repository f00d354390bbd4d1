import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DEFAULT_DRAIN_TIMEOUT_MS, MAX_TIMER_MS, drainTimeoutOf, startDeadline } from '../../../libs/pubsub/src/delivery/drain-timeout.js';
import { ThrottledLog } from '../../../libs/pubsub/src/delivery/throttled-log.js';
import { RecordingLogger } from '../../support/channels.js';

describe('startDeadline', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fires after a delay longer than one timer can take, not before', () => {
    let fired = 0;
    startDeadline(MAX_TIMER_MS * 2 + 10, () => fired++);
    jest.advanceTimersByTime(MAX_TIMER_MS);
    jest.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toBe(0);
    jest.advanceTimersByTime(10);
    expect(fired).toBe(1);
    jest.advanceTimersByTime(MAX_TIMER_MS * 3);
    expect(fired).toBe(1);
  });

  it('never fires for Infinity, and a cancelled deadline never fires', () => {
    let fired = 0;
    startDeadline(Number.POSITIVE_INFINITY, () => fired++)();
    const cancel = startDeadline(MAX_TIMER_MS + 1, () => fired++);
    jest.advanceTimersByTime(MAX_TIMER_MS);
    cancel();
    jest.advanceTimersByTime(MAX_TIMER_MS * 2);
    expect(fired).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('drainTimeoutOf', () => {
  it('keeps every number from 0 up, uses the default when omitted, and warns about the rest', () => {
    const logger = new RecordingLogger();
    const log = new ThrottledLog(logger);
    for (const ok of [0, 1, 2 ** 31, Number.POSITIVE_INFINITY]) expect(drainTimeoutOf(ok, log)).toBe(ok);
    expect(drainTimeoutOf(undefined, log)).toBe(DEFAULT_DRAIN_TIMEOUT_MS);
    expect(logger.warnings).toEqual([]);
    for (const bad of [Number.NaN, -1, '5', null, {}]) expect(drainTimeoutOf(bad, log)).toBe(DEFAULT_DRAIN_TIMEOUT_MS);
    expect(logger.warnings).toHaveLength(5);
    expect(logger.warnings[0]).toBe(
      'drain(NaN) needs a number of milliseconds from 0 up (Infinity for no limit); waiting at most 5000 ms instead',
    );
  });
});
