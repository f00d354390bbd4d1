/**
 * Handler durations in logarithmic buckets (about 4% wide), so percentiles cost a fixed few KB per channel
 * however many calls are recorded. `takeSnapshot` reads and resets, one interval at a time.
 */
const BUCKETS_PER_DOUBLING = 16;
const MIN_MS = 0.001;
const BUCKET_COUNT = 40 * BUCKETS_PER_DOUBLING; // up to ~1e9 ms

/**
 * Past FULLY_TIMED_CALLS per interval, one handler call in LATENCY_SAMPLE_EVERY is timed. A clock read (about
 * 40 ns here) costs more than a fast handler's whole delivery: one in 16 took 8-10 % of a fan-out profile, one in
 * 64 still about 6 % of a streaming fan-out to ten (the n + 1 reads of a sampled publication to n subscriptions),
 * and a channel busy enough for it to matter gets thousands of samples per interval at one in 256 too.
 */
export const LATENCY_SAMPLE_EVERY = 256;
const LATENCY_SAMPLE_MASK = LATENCY_SAMPLE_EVERY - 1;
/**
 * Calls timed one and all at the start of each interval, so that a quiet channel's percentiles rest on every
 * call it made: four sample periods, as when it was 256 calls beside one in 64.
 */
export const FULLY_TIMED_CALLS = 1024;

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

  /**
   * Whether to time call number `calls` (of a counter the caller keeps, from 1): every call until the interval
   * has FULLY_TIMED_CALLS samples, then one in LATENCY_SAMPLE_EVERY. Quiet channels still report latency, busy
   * ones don't pay for a clock read per call.
   */
  times(calls: number): boolean {
    return (calls & LATENCY_SAMPLE_MASK) === 0 || this.count < FULLY_TIMED_CALLS;
  }

  /**
   * How many consecutive calls from number `calls` on `times` would not time (0 when it times that one): a
   * caller may then run that many calls as one batch without asking for each.
   */
  untimedAhead(calls: number): number {
    if (this.count < FULLY_TIMED_CALLS) return 0;
    const phase = calls & LATENCY_SAMPLE_MASK;
    return phase === 0 ? 0 : LATENCY_SAMPLE_EVERY - phase;
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
