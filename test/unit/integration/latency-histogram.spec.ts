import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LatencyHistogram } from '../../../libs/pubsub/src/delivery/latency-histogram.js';

/** The nearest-rank percentile, the definition the histogram approximates. */
function exactPercentile(sorted: number[], fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)];
}

const ACCURACY = 0.05;

describe('LatencyHistogram', () => {
  it('an empty snapshot is all zeros', () => {
    expect(new LatencyHistogram().takeSnapshot()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, min: 0, avg: 0 });
  });

  it('percentiles are within bucket accuracy of the exact ones; count, min, max and avg are exact (fast-check)', () => {
    const sample = fc.oneof(
      fc.double({ min: 0.01, max: 100_000, noNaN: true }),
      fc.double({ min: 0.01, max: 5, noNaN: true }),
      fc.integer({ min: 1, max: 2_000 }),
    );
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 2_000 }), (values) => {
        const histogram = new LatencyHistogram();
        for (const value of values) histogram.record(value);
        const snapshot = histogram.takeSnapshot();
        const sorted = [...values].sort((a, b) => a - b);
        expect(snapshot.count).toBe(values.length);
        expect(snapshot.min).toBe(sorted[0]);
        expect(snapshot.max).toBe(sorted[sorted.length - 1]);
        expect(snapshot.avg).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
        for (const [key, fraction] of [
          ['p50', 0.5],
          ['p95', 0.95],
          ['p99', 0.99],
        ] as const) {
          const exact = exactPercentile(sorted, fraction);
          const relative = Math.abs(snapshot[key] - exact) / exact;
          if (relative > ACCURACY) throw new Error(`${key} ${snapshot[key]} vs exact ${exact} (${(relative * 100).toFixed(2)}%)`);
        }
        expect(snapshot.p50).toBeLessThanOrEqual(snapshot.p95);
        expect(snapshot.p95).toBeLessThanOrEqual(snapshot.p99);
        expect(snapshot.p99).toBeLessThanOrEqual(snapshot.max);
      }),
      { numRuns: 200 },
    );
  });

  it('matches exact percentiles of a large skewed random sample', () => {
    const histogram = new LatencyHistogram();
    const values: number[] = [];
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 50_000; i++) {
      // Log-normal-ish: most calls fast, a long tail.
      const value = Math.exp(random() * 4 + (random() < 0.05 ? 4 : 0)) / 10;
      values.push(value);
      histogram.record(value);
    }
    const snapshot = histogram.takeSnapshot();
    const sorted = values.sort((a, b) => a - b);
    for (const [key, fraction] of [
      ['p50', 0.5],
      ['p95', 0.95],
      ['p99', 0.99],
    ] as const) {
      expect(Math.abs(snapshot[key] - exactPercentile(sorted, fraction)) / exactPercentile(sorted, fraction)).toBeLessThanOrEqual(ACCURACY);
    }
  });

  it('takeSnapshot resets: the next snapshot covers only what came after', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 100; i++) histogram.record(1_000);
    expect(histogram.takeSnapshot()).toMatchObject({ count: 100, max: 1_000, min: 1_000 });
    histogram.record(2);
    const next = histogram.takeSnapshot();
    expect(next).toMatchObject({ count: 1, max: 2, min: 2, avg: 2 });
    expect(Math.abs(next.p50 - 2) / 2).toBeLessThanOrEqual(ACCURACY);
  });

  it('zero and sub-microsecond durations are counted without breaking the percentiles', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 10; i++) histogram.record(0);
    histogram.record(0.0000001);
    const snapshot = histogram.takeSnapshot();
    expect(snapshot.count).toBe(11);
    expect(snapshot.min).toBe(0);
    for (const key of ['p50', 'p95', 'p99', 'avg', 'max'] as const) {
      expect(Number.isFinite(snapshot[key])).toBe(true);
      expect(snapshot[key]).toBeLessThanOrEqual(0.001);
    }
  });
});
