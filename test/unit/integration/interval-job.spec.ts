import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { IntervalJob } from '../../../libs/pubsub/src/integration/interval-job.js';
import { RecordingLogger } from '../../support/integration-helpers.js';

afterEach(() => {
  jest.useRealTimers();
});

function job(tick: () => void | Promise<void>, period = { ms: 20 }) {
  const registry = new SchedulerRegistry();
  const logger = new RecordingLogger();
  return { registry, logger, job: new IntervalJob('test:job', registry, () => period.ms, tick, logger) };
}

describe('IntervalJob', () => {
  it('arm() registers a named interval in the SchedulerRegistry; disarm() removes it', () => {
    jest.useFakeTimers();
    const { registry, job: j } = job(() => undefined);
    expect(j.isArmed).toBe(false);
    j.arm();
    expect(j.isArmed).toBe(true);
    expect(registry.getIntervals()).toEqual(['test:job']);
    j.disarm();
    expect(j.isArmed).toBe(false);
    expect(registry.getIntervals()).toEqual([]);
    expect(() => j.disarm()).not.toThrow();
  });

  it('ticks once per period, and re-arming applies a new period without a duplicate interval', async () => {
    jest.useFakeTimers();
    const period = { ms: 20 };
    let ticks = 0;
    const { registry, job: j } = job(() => {
      ticks++;
    }, period);
    j.arm();
    await jest.advanceTimersByTimeAsync(100);
    expect(ticks).toBe(5);
    period.ms = 50;
    j.arm();
    expect(registry.getIntervals()).toEqual(['test:job']);
    ticks = 0;
    await jest.advanceTimersByTimeAsync(200);
    expect(ticks).toBe(4);
    j.disarm();
    await jest.advanceTimersByTimeAsync(200);
    expect(ticks).toBe(4);
  });

  it('a slow tick never overlaps the next: concurrent runTick calls run the tick once', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    let release!: () => void;
    const { job: j, logger } = job(async () => {
      calls++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((resolve) => (release = resolve));
      running--;
    });
    const first = j.runTick();
    const second = j.runTick();
    const third = j.runTick();
    await second;
    await third;
    expect(calls).toBe(1);
    expect(logger.warnings).toHaveLength(2);
    expect(logger.warnings[0]).toContain('test:job');
    release();
    await first;
    // The tick after the slow one finished runs normally.
    const fourth = j.runTick();
    expect(calls).toBe(2);
    release();
    await fourth;
    expect(maxRunning).toBe(1);
  });

  it('a slow tick spanning several periods is not overlapped by the interval', async () => {
    jest.useFakeTimers();
    let running = 0;
    let maxRunning = 0;
    let started = 0;
    const { job: j } = job(async () => {
      started++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 75));
      running--;
    });
    j.arm();
    await jest.advanceTimersByTimeAsync(400);
    j.disarm();
    expect(maxRunning).toBe(1);
    // Ticks at 20, 100, 180, 260, 340 (each lasting 75 ms, the ones in between skipped).
    expect(started).toBe(5);
  });

  it('a failing tick is logged with its error and does not stop the next one', async () => {
    let calls = 0;
    const { job: j, logger } = job(() => {
      calls++;
      if (calls === 1) throw new Error('tick exploded');
    });
    await expect(j.runTick()).resolves.toBeUndefined();
    await j.runTick();
    expect(calls).toBe(2);
    expect(logger.errors).toEqual([expect.stringContaining('tick exploded')]);
  });
});
