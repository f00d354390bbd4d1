import type { PromMetric } from './metric-families.js';

/**
 * Handler durations of one channel counted here, per bucket, and handed to prom-client's histogram only at
 * scrape time: prom-client's own `observe` hashes the labels on every call, which cost more than a fast
 * handler. Bucket counts are per bound (not cumulative), as prom-client keeps them.
 */
export class DurationTally {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  record(seconds: number): void {
    this.count++;
    this.sum += seconds;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}

/** The histogram state prom-client 15 keeps per label set, which `zero()` creates and the registry reads. */
interface HistogramEntry {
  labels: Record<string, string>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

type HistogramInternals = PromMetric & { zero(labels: Record<string, string>): void; hashMap: Record<string, HistogramEntry> };

/** Whether this prom-client's Histogram keeps its series the way `writeTally` fills them. */
export function canWriteTallies(metric: PromMetric): boolean {
  const histogram = metric as Partial<HistogramInternals>;
  return typeof histogram.zero === 'function' && typeof histogram.hashMap === 'object' && histogram.hashMap !== null;
}

/** Sets the series `labels` of a (just reset) histogram to the tally's figures. */
export function writeTally(metric: PromMetric, labels: Record<string, string>, tally: DurationTally): void {
  const histogram = metric as HistogramInternals;
  histogram.zero(labels);
  const entry = Object.values(histogram.hashMap).find((candidate) => candidate.labels === labels);
  if (entry === undefined) return;
  tally.bounds.forEach((bound, i) => (entry.bucketValues[bound] = tally.counts[i]));
  entry.sum = tally.sum;
  entry.count = tally.count;
}
