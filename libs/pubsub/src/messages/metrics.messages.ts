import { defineMessage, emptyObject, constant, applicationNode, type PayloadDraft } from './message-factory.js';
import {
  OptionalNumber,
  OptionalNumbersByName,
  OptionalObject,
  OptionalText,
  RequiredChoice,
  RequiredNumber,
  RequiredText,
  Timestamp,
} from './payload-rules.js';

export const LATENCY_PERCENTILES = ['p50', 'p95', 'p99', 'max', 'min', 'avg'] as const;
export type LatencyPercentile = (typeof LATENCY_PERCENTILES)[number];

export const RESOURCE_TYPES = ['cpu', 'memory', 'disk', 'network'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const THRESHOLD_TYPES = ['min', 'max'] as const;
export type ThresholdType = (typeof THRESHOLD_TYPES)[number];

export const METRIC_ALERT_SEVERITIES = ['warning', 'critical'] as const;
export type MetricAlertSeverity = (typeof METRIC_ALERT_SEVERITIES)[number];

export class PerformanceMetric {
  @RequiredText() metricName!: string;
  @RequiredNumber() value!: number;
  @RequiredText() unit!: string;
  @OptionalText() node?: string;
  @OptionalText() component?: string | null;
  @OptionalObject() tags?: Record<string, unknown>;
  @Timestamp() timestamp!: number;
}

export class ThroughputMetric {
  @RequiredText() operation!: string;
  @RequiredNumber() count!: number;
  @RequiredNumber() durationMs!: number;
  @OptionalNumber() ratePerSec?: number;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export class LatencyMetric {
  @RequiredText() operation!: string;
  @RequiredNumber() latencyMs!: number;
  @RequiredChoice(LATENCY_PERCENTILES) percentile!: LatencyPercentile;
  @OptionalNumber() sampleCount?: number;
  /** Every percentile of the same samples, when the sender has them (the metrics broadcaster does). */
  @OptionalNumbersByName(LATENCY_PERCENTILES) percentiles?: Partial<Record<LatencyPercentile, number>>;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export class ResourceUsage {
  @RequiredChoice(RESOURCE_TYPES) resourceType!: ResourceType;
  @RequiredNumber() usagePercent!: number;
  @OptionalNumber() totalAvailable?: number;
  @OptionalNumber() currentUsed?: number;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export class MetricAlert {
  @RequiredText() metricName!: string;
  @RequiredNumber() currentValue!: number;
  @RequiredNumber() thresholdValue!: number;
  @RequiredChoice(THRESHOLD_TYPES) thresholdType!: ThresholdType;
  @RequiredChoice(METRIC_ALERT_SEVERITIES) severity!: MetricAlertSeverity;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

/** `count / (durationMs / 1000)`, operations per second over the window; an empty window (durationMs 0) reports 0, not Infinity. */
function ratePerSecond({ count, durationMs }: PayloadDraft): number | undefined {
  if (typeof count !== 'number' || typeof durationMs !== 'number') return undefined;
  return durationMs === 0 ? 0 : count / (durationMs / 1000);
}

export const MetricsMessages = Object.freeze({
  performanceMetric: defineMessage(
    'performance_metric',
    PerformanceMetric,
    {
      component: constant(null),
      tags: emptyObject,
    },
    { node: applicationNode },
  ),
  throughputMetric: defineMessage(
    'throughput_metric',
    ThroughputMetric,
    {
      ratePerSec: ratePerSecond,
    },
    { node: applicationNode },
  ),
  latencyMetric: defineMessage('latency_metric', LatencyMetric, {}, { node: applicationNode }),
  resourceUsage: defineMessage('resource_usage', ResourceUsage, {}, { node: applicationNode }),
  metricAlert: defineMessage('metric_alert', MetricAlert, {}, { node: applicationNode }),
});

export type MetricsMessageType = (typeof MetricsMessages)[keyof typeof MetricsMessages]['type'];
