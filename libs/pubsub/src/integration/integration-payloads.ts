import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import { MetricsMessages } from '../messages/metrics.messages.js';
import type { CatalogueMessage } from '../messages/message-factory.js';

/**
 * ClusterHealth from node lists: healthy with no node down, degraded while a majority is connected,
 * unhealthy otherwise; quorum holds while a majority is connected.
 */
export function clusterHealthFields(connected: unknown, disconnected: unknown, event: unknown): Record<string, unknown> {
  if (!isNameList(connected) || !isNameList(disconnected)) throw new PubSubError('invalid_argument', ERRORS.nodeListsNotNames);
  const total = connected.length + disconnected.length;
  const majority = connected.length > total / 2;
  // No node known at all says nothing about health, and must not read as healthy without quorum.
  const status = total === 0 ? 'unknown' : disconnected.length === 0 ? 'healthy' : majority ? 'degraded' : 'unhealthy';
  return {
    status,
    healthyNodes: connected.length,
    totalNodes: total,
    degradedNodes: [],
    unhealthyNodes: [...disconnected],
    quorumStatus: majority ? 'available' : 'lost',
    event: event === undefined || event === null ? undefined : String(event),
  };
}

/**
 * The metrics message of a component, as the integration guide shows them. The guide's own persistence example
 * has no operationsCount; the intent is the number of operations, so success + error counts stand in for it.
 */
export function metricsMessage(component: string, metrics: Record<string, unknown>): CatalogueMessage {
  if (component === 'persistence') {
    const { operationsCount, storesCount, durationMs, successCount, errorCount } = metrics;
    const counted = typeof successCount === 'number' && typeof errorCount === 'number' ? successCount + errorCount : undefined;
    return MetricsMessages.performanceMetric({
      metricName: 'persistence_operation',
      value: operationsCount ?? counted,
      unit: 'operations',
      component: 'persistence',
      tags: { storesCount, durationMs, successCount, errorCount },
    } as never);
  }
  if (component === 'emitter') {
    return MetricsMessages.throughputMetric({
      operation: 'event_emission',
      count: metrics.eventsEmitted,
      durationMs: metrics.durationMs ?? 1000,
    } as never);
  }
  return MetricsMessages.performanceMetric({
    metricName: component,
    value: metrics.value ?? 0,
    unit: metrics.unit ?? 'count',
    component,
    tags: metrics,
  } as never);
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((name) => typeof name === 'string');
}
