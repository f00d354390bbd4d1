import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { FloodGate, nameNodes, quoteNode, type FloodSummary } from '../../../libs/pubsub/src/transport/flood-gate.js';

describe('FloodGate: a flood becomes a summary', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('lets a burst through per key and window, then reports the rest once when the window ends, by itself', () => {
    jest.useFakeTimers();
    const summaries: FloodSummary[] = [];
    const gate = new FloodGate(
      (key) => (key === 'refused' ? 1 : 3),
      1_000,
      (summary) => summaries.push(summary),
    );
    const admitted = Array.from({ length: 10_000 }, (_, i) => gate.admit('joined', `n${i}`)).filter(Boolean).length;
    expect(admitted).toBe(3);
    expect([gate.admit('refused', 'x'), gate.admit('refused', 'y'), gate.admit('refused', 'z')]).toEqual([true, false, false]);
    expect(summaries).toEqual([]);
    jest.advanceTimersByTime(1_000);
    expect(summaries).toEqual([
      { key: 'joined', count: 9_997, sample: ['n3', 'n4', 'n5', 'n6', 'n7'], windowMs: 1_000 },
      { key: 'refused', count: 2, sample: ['y', 'z'], windowMs: 1_000 },
    ]);
    // A new window: a burst again.
    expect(gate.admit('joined', 'later')).toBe(true);
    jest.advanceTimersByTime(5_000);
    expect(summaries).toHaveLength(2);
  });

  it('flush reports what is held back at once (at close)', () => {
    const summaries: FloodSummary[] = [];
    const gate = new FloodGate(
      () => 0,
      60_000,
      (summary) => summaries.push(summary),
    );
    gate.admit('failed', 'a');
    gate.flush();
    expect(summaries).toEqual([{ key: 'failed', count: 1, sample: ['a'], windowMs: 60_000 }]);
  });

  it('names a few nodes, counts the rest, and escapes what a forged name could put into a log line', () => {
    expect(nameNodes(['a', 'b'])).toBe("'a', 'b'");
    expect(nameNodes(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe("'a', 'b', 'c', 'd', 'e' and 2 more");
    expect(nameNodes(['a', 'b', 'c', 'd', 'e'], 1_000)).toBe("'a', 'b', 'c', 'd', 'e' and 995 more");
    expect(quoteNode('evil\n[Nest] ERROR forged\u001b[31m')).toBe("'evil\\n[Nest] ERROR forged\\u001b[31m'");
    expect(quoteNode('x'.repeat(500))).toHaveLength(80 + 3 + 2);
  });
});
