import { constant, defineMessage, emptyList, emptyObject, applicationNode } from './message-factory.js';
import {
  OptionalChoice,
  OptionalList,
  OptionalNumber,
  OptionalObject,
  OptionalText,
  QUORUM_STATUSES,
  type QuorumStatus,
  RequiredChoice,
  RequiredNumber,
  RequiredText,
  Timestamp,
} from './payload-rules.js';

/** Shared by node, cluster and component health, so one status vocabulary covers the whole channel. */
export const HEALTH_STATUSES = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const HEALTH_CHECK_RESULTS = ['pass', 'fail', 'timeout'] as const;
export type HealthCheckResult = (typeof HEALTH_CHECK_RESULTS)[number];

export class NodeHealth {
  @RequiredText() node!: string;
  @RequiredChoice(HEALTH_STATUSES) status!: HealthStatus;
  @OptionalObject() checks?: Record<string, unknown>;
  @OptionalNumber() loadAvg?: number | null;
  @OptionalNumber() memoryUsage?: number | null;
  @OptionalNumber() diskUsage?: number | null;
  @Timestamp() timestamp!: number;
}

export class ClusterHealth {
  @RequiredChoice(HEALTH_STATUSES) status!: HealthStatus;
  @RequiredNumber() healthyNodes!: number;
  @RequiredNumber() totalNodes!: number;
  @OptionalList() degradedNodes?: string[];
  @OptionalList() unhealthyNodes?: string[];
  @OptionalChoice(QUORUM_STATUSES) quorumStatus?: QuorumStatus;
  /** What triggered the update, e.g. a node joining; set by the integration layer. */
  @OptionalText() event?: string;
  @Timestamp() timestamp!: number;
}

export class ComponentHealth {
  @RequiredText() component!: string;
  @RequiredText() node!: string;
  @RequiredChoice(HEALTH_STATUSES) status!: HealthStatus;
  @OptionalObject() details?: Record<string, unknown>;
  @OptionalNumber() lastCheck?: number | null;
  @Timestamp() timestamp!: number;
}

export class HealthCheck {
  @RequiredText() checkName!: string;
  @RequiredText() node!: string;
  @RequiredChoice(HEALTH_CHECK_RESULTS) result!: HealthCheckResult;
  @OptionalNumber() durationMs?: number | null;
  @OptionalObject() details?: Record<string, unknown>;
  @OptionalText() error?: string | null;
  @Timestamp() timestamp!: number;
}

export const HealthMessages = Object.freeze({
  nodeHealth: defineMessage(
    'node_health_updated',
    NodeHealth,
    {
      checks: emptyObject,
      loadAvg: constant(null),
      memoryUsage: constant(null),
      diskUsage: constant(null),
    },
    { node: applicationNode },
  ),
  clusterHealth: defineMessage('cluster_health_updated', ClusterHealth, {
    degradedNodes: emptyList,
    unhealthyNodes: emptyList,
    quorumStatus: constant('available'),
  }),
  componentHealth: defineMessage(
    'component_health_updated',
    ComponentHealth,
    {
      details: emptyObject,
      lastCheck: constant(null),
    },
    { node: applicationNode },
  ),
  healthCheck: defineMessage(
    'health_check_completed',
    HealthCheck,
    {
      details: emptyObject,
      durationMs: constant(null),
      error: constant(null),
    },
    { node: applicationNode },
  ),
});

export type HealthMessageType = (typeof HealthMessages)[keyof typeof HealthMessages]['type'];
