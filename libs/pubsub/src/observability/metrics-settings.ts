import { PubSubError } from '../pubsub-error.js';
import { ERRORS } from '../error-messages.js';
import type { MetricsRegistry, MetricsSettings } from '../settings/metrics-settings.js';
import { DEFAULT_DURATION_BUCKETS } from './metrics.js';

export interface MetricsOptions {
  /** A prom-client Registry; default prom-client's default registry. */
  registry?: MetricsRegistry;
  /** Constant labels on every series (e.g. `{ app: 'orders' }`), for applications that share a registry. */
  labels?: Record<string, string>;
  /** Bucket upper bounds of gater_pubsub_handler_duration_seconds, in seconds. */
  buckets?: number[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['channel', 'reason', 'le']);

/** Metrics are off unless the option is given; `{}` reports on prom-client's default registry. */
export function resolveMetricsSettings(option: MetricsOptions | undefined): MetricsSettings | undefined {
  if (option === undefined) return undefined;
  const invalid = (name: string, problem: string) => new PubSubError('invalid_option', ERRORS.invalidOption(`metrics${name}`, problem));
  if (option === null || typeof option !== 'object' || Array.isArray(option)) throw invalid('', 'must be an object such as { registry }');
  const { registry, labels = {}, buckets = [...DEFAULT_DURATION_BUCKETS] } = option;
  if (registry !== undefined && (typeof registry?.getSingleMetric !== 'function' || typeof registry?.removeSingleMetric !== 'function')) {
    throw invalid('.registry', 'must be a prom-client Registry');
  }
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels))
    throw invalid('.labels', 'must be an object of string values');
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || RESERVED_LABELS.has(name))
      throw invalid('.labels', `has an invalid or reserved label name '${name}'`);
    if (typeof value !== 'string') throw invalid('.labels', `must have string values ('${name}' is ${typeof value})`);
  }
  if (
    !Array.isArray(buckets) ||
    buckets.length === 0 ||
    buckets.some((b, i) => typeof b !== 'number' || !(b > 0) || !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]))
  ) {
    throw invalid('.buckets', 'must be increasing positive numbers of seconds');
  }
  return { registry, labels: { ...labels }, buckets: [...buckets] };
}
