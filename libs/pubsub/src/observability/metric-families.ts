import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import type { MetricsRegistry } from '../settings/metrics-settings.js';

/** The prom-client classes, as loaded. */
export interface PromClient {
  Counter: new (config: Record<string, unknown>) => PromMetric;
  Gauge: new (config: Record<string, unknown>) => PromMetric;
  Histogram: new (config: Record<string, unknown>) => PromMetric;
  register: MetricsRegistry;
}

export interface PromMetric {
  reset(): void;
  inc(labels: Record<string, string>, value: number): void;
  set(labels: Record<string, string>, value: number): void;
  observe(labels: Record<string, string>, value: number): void;
}

/** One application's contribution to a family: its constant labels and what to report at each scrape. */
export interface FamilyMember {
  readonly labels: Readonly<Record<string, string>>;
  collect(metric: PromMetric): void;
}

export interface FamilySpec {
  name: string;
  help: string;
  kind: 'Counter' | 'Gauge' | 'Histogram';
  labelNames: readonly string[];
  buckets?: readonly number[];
}

const MEMBERS = Symbol('gater-pubsub-family-members');
type SharedMetric = PromMetric & { [MEMBERS]?: Set<FamilyMember> };

/**
 * Registers a metric family on the registry, or joins the one another application of this library already
 * registered there (told apart by their constant labels). Every scrape resets the family and lets each member
 * report its current figures; the state lives on the registry's metric, not in this module.
 */
export function joinFamily(prom: PromClient, registry: MetricsRegistry, spec: FamilySpec, member: FamilyMember): PromMetric {
  let metric = registry.getSingleMetric(spec.name) as SharedMetric | undefined;
  if (metric !== undefined && metric[MEMBERS] === undefined) throw new PubSubError('invalid_option', ERRORS.metricNameTaken(spec.name));
  if (metric === undefined) {
    const members = new Set<FamilyMember>();
    const config: Record<string, unknown> = {
      name: spec.name,
      help: spec.help,
      labelNames: [...Object.keys(member.labels), ...spec.labelNames],
      registers: [registry],
    };
    if (spec.buckets !== undefined) config.buckets = [...spec.buckets];
    config.collect = function (this: PromMetric) {
      this.reset();
      for (const each of members) each.collect(this);
    };
    metric = new prom[spec.kind](config) as SharedMetric;
    metric[MEMBERS] = members;
  }
  const members = metric[MEMBERS]!;
  for (const other of members) {
    if (!sameKeys(other.labels, member.labels))
      throw new PubSubError('invalid_option', ERRORS.metricLabelsDiffer(spec.name, Object.keys(other.labels)));
    if (sameValues(other.labels, member.labels))
      throw new PubSubError('invalid_option', ERRORS.metricsAlreadyReported(spec.name, member.labels));
  }
  members.add(member);
  return metric;
}

/** Leaves a family; the last member to leave unregisters it. */
export function leaveFamily(registry: MetricsRegistry, name: string, member: FamilyMember): void {
  const metric = registry.getSingleMetric(name) as SharedMetric | undefined;
  const members = metric?.[MEMBERS];
  if (members === undefined || !members.delete(member)) return;
  // The others' next scrape no longer includes this member's series: every collect starts from a reset.
  if (members.size === 0) registry.removeSingleMetric(name);
}

function sameKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a).sort();
  const others = Object.keys(b).sort();
  return keys.length === others.length && keys.every((key, i) => key === others[i]);
}

function sameValues(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.keys(a).every((key) => a[key] === b[key]);
}
