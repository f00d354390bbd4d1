/** The part of a prom-client Registry the library uses (structural: prom-client is an optional peer). */
export interface MetricsRegistry {
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

export interface MetricsSettings {
  /** Default: prom-client's default registry. */
  registry?: MetricsRegistry;
  /** Constant labels on every series, so several applications can share one registry. */
  labels: Record<string, string>;
  buckets: readonly number[];
}
