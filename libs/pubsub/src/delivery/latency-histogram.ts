/**
 * Handler durations in logarithmic buckets (about 4% wide), so percentiles cost a fixed few KB per channel
 * however many calls are recorded. `takeSnapshot` reads and resets, one interval at a time.
 */
const BUCKETS_PER_DOUBLING = 16;
const MIN_MS = 0.001;
const BUCKET_COUNT = 40 * BUCKETS_PER_DOUBLING; // up to ~1e9 ms

export interface LatencySnapshot {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
  avg: number;
}

export class LatencyHistogram {
  private buckets = new Uint32Array(BUCKET_COUNT);
  private count = 0;
  private sum = 0;
  private max = 0;
  private min = Number.POSITIVE_INFINITY;

  /** Samples recorded since the last snapshot. */
  get size(): number {
    return this.count;
  }

  record(ms: number): void {
    const value = ms > MIN_MS ? ms : MIN_MS;
    const index = Math.min(BUCKET_COUNT - 1, Math.floor(Math.log2(value / MIN_MS) * BUCKETS_PER_DOUBLING));
    this.buckets[index]++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    if (ms < this.min) this.min = ms;
  }

  takeSnapshot(): LatencySnapshot {
    const snapshot: LatencySnapshot = {
      count: this.count,
      p50: this.percentile(0.5),
      p95: this.percentile(0.95),
      p99: this.percentile(0.99),
      max: this.max,
      min: this.count === 0 ? 0 : this.min,
      avg: this.count === 0 ? 0 : this.sum / this.count,
    };
    this.buckets.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
    this.min = Number.POSITIVE_INFINITY;
    return snapshot;
  }

  private percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(fraction * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.buckets[i];
      // The bucket's upper edge, capped by the largest value actually seen.
      if (seen >= rank) return Math.min(this.max, MIN_MS * 2 ** ((i + 1) / BUCKETS_PER_DOUBLING));
    }
    return this.max;
  }
}
