import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { LivenessProbe } from '../../../libs/pubsub/src/transport/liveness-probe.js';

describe('LivenessProbe: open but not answering is down', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  function probe() {
    const pings: { resolve: () => void; reject: (error: Error) => void }[] = [];
    const changes: boolean[] = [];
    const ping = () => new Promise<void>((resolve, reject) => void pings.push({ resolve, reject }));
    return { pings, changes, probe: new LivenessProbe(ping, 1_000, (responsive) => changes.push(responsive)) };
  }

  it('a PING unanswered past the deadline makes the connection unresponsive; the late answer makes it responsive again', async () => {
    const { probe: p, pings, changes } = probe();
    p.tick();
    p.tick(); // one outstanding at a time
    expect(pings).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(p.responsive).toBe(true);
    await jest.advanceTimersByTimeAsync(2);
    expect(p.responsive).toBe(false);
    expect(changes).toEqual([false]);
    pings[0].resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(p.responsive).toBe(true);
    expect(changes).toEqual([false, true]);
  });

  it('other replies heard meanwhile count as signs of life (a busy connection is not a frozen one)', async () => {
    const { probe: p, changes } = probe();
    p.tick();
    for (let i = 0; i < 10; i++) {
      await jest.advanceTimersByTimeAsync(500);
      p.heard();
    }
    expect(changes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_001);
    expect(changes).toEqual([false]);
  });

  it('an answered PING clears the deadline; a rejected one (connection closing) says nothing; reset forgets', async () => {
    const { probe: p, pings, changes } = probe();
    p.tick();
    pings[0].resolve();
    await jest.advanceTimersByTimeAsync(5_000);
    p.tick();
    pings[1].reject(new Error('Connection is closed.'));
    await jest.advanceTimersByTimeAsync(5_000);
    p.tick();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(changes).toEqual([false]);
    p.reset();
    expect(p.responsive).toBe(true);
  });
});
