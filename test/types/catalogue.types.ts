// Type tests of the message catalogue, compiled by `npm run typecheck` (tsc --noEmit) and never run. Each
// `@ts-expect-error` line is a typed mistake that must not compile: if it ever does, tsc fails on the unused
// directive.
import {
  HealthMessages,
  LatencyMetric,
  LoggingMessages,
  MetricsMessages,
  NodeHealth,
  isCatalogueMessage,
  type CatalogueMessageType,
  type CataloguePayloads,
  type HealthStatus,
  type PubSubMessage,
} from '@gater/pubsub';

// ---- factory inputs accept the payload's fields only ----

HealthMessages.nodeHealth({ status: 'healthy' });
HealthMessages.nodeHealth({ status: 'healthy', node: 'n1', checks: { disk: 'ok' }, loadAvg: 0.5, timestamp: 1 });

// @ts-expect-error -- a typo of a field is an unknown key, not an extra one
HealthMessages.nodeHealth({ status: 'healthy', stauts: 'x' });

// @ts-expect-error -- status is required and has no default
HealthMessages.nodeHealth({ node: 'n1' });

// @ts-expect-error -- status is one of the health statuses
HealthMessages.nodeHealth({ status: 'fine' });

declare const looseFields: Record<string, unknown>;
// @ts-expect-error -- a loosely typed record does not pass for the payload's fields
HealthMessages.nodeHealth(looseFields);

MetricsMessages.latencyMetric({ operation: 'o', latencyMs: 1, percentile: 'p99', percentiles: { p50: 0.4, max: 3 } });
// @ts-expect-error -- percentiles are keyed by the percentile names only
MetricsMessages.latencyMetric({ operation: 'o', latencyMs: 1, percentile: 'p99', percentiles: { p42: 1 } });

// @ts-expect-error -- nodesReporting is a list of node names
LoggingMessages.logSummary({ timePeriod: 'h', logCounts: {}, nodesReporting: 'n1' });

// ---- what a factory returns: node is filled by the publishing application, so it may be absent ----

const built = HealthMessages.nodeHealth({ status: 'healthy' });
const _status: HealthStatus = built.payload.status;
const _type: 'node_health_updated' = built.type;
// @ts-expect-error -- node is not known before publish
const _node: string = built.payload.node;

// ---- CataloguePayloads maps every type name to its payload class ----

const _health: CataloguePayloads['node_health_updated'] = new NodeHealth();
const _latency: CataloguePayloads['latency_metric'] = new LatencyMetric();
// @ts-expect-error -- a LatencyMetric is not a NodeHealth
const _mismatch: CataloguePayloads['node_health_updated'] = new LatencyMetric();
// @ts-expect-error -- not a catalogue type name
type _NotCatalogued = CataloguePayloads['node_health_update'];

const _types: CatalogueMessageType[] = ['system_config_changed', 'log_rotation', 'cluster_membership_changed'];
// @ts-expect-error -- the events channel has no catalogue
const _eventsType: CatalogueMessageType = 'domain_event';

// ---- isCatalogueMessage narrows the payload ----

declare const message: PubSubMessage;

// @ts-expect-error -- before narrowing, the payload is unknown
void message.payload.status;

if (isCatalogueMessage(message, 'node_health_updated')) {
  const _narrowed: HealthStatus = message.payload.status;
  const _still: PubSubMessage = message;
  // @ts-expect-error -- a NodeHealth has no latencyMs
  void message.payload.latencyMs;
  // @ts-expect-error -- the status is a health status, not any string
  const _wrong: 'p99' = message.payload.status;
}

if (isCatalogueMessage(message, 'latency_metric')) {
  const _percentiles: Partial<Record<'p50' | 'p95' | 'p99' | 'max' | 'min' | 'avg', number>> | undefined = message.payload.percentiles;
}

// @ts-expect-error -- only catalogue type names can be asked for
isCatalogueMessage(message, 'node_health_update');

declare const anything: unknown;
if (isCatalogueMessage(anything, 'system_alert')) {
  const _severity: 'info' | 'warning' | 'error' | 'critical' = anything.payload.severity;
}
