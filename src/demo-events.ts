/**
 * Payloads of the demo's events: the example events of the seeds (ExESDB Gater PubSub architecture),
 * with camelCase fields. The seed's `event_type` is the message `type`; pids are kept as strings.
 */

export interface SubscriptionHealth {
  storeId: string;
  subscriptionName: string;
  timestamp: number;
  metadata: { proxyPid: string; subscriberPid: string; registrationTime: number };
}

export interface SubscriptionMetric {
  storeId: string;
  subscriptionName: string;
  timestamp: number;
  metadata: { result: 'ok' | 'error'; source: 'subscription_metrics'; processingTimeMs: number };
}

export interface AuthFailure {
  userId: string;
  ipAddress: string;
  timestamp: number;
  reason: string;
  metadata: { attemptCount: number; userAgent: string };
}

export interface UserAction {
  userId: string;
  action: string;
  resource: string;
  timestamp: number;
  metadata: { storeId: string; ipAddress: string; sessionId: string };
}

/**
 * An alert. The simulator sends the seed's shape (`message`); the library's own self-monitoring sends a
 * catalogue `system_alert` (`title`) on the same topics, so consumers read whichever is there.
 */
export interface Alert {
  severity: string;
  timestamp: number;
  message?: string;
  title?: string;
  component?: string;
  source?: string;
  metadata?: Record<string, unknown>;
}

export interface PerformanceTrace {
  component: string;
  operation: string;
  durationMs: number;
  timestamp: number;
  traceData: { batchSize: number; queueDepth: number };
}

export interface ProcessLifecycle {
  processType: string;
  pid: string;
  timestamp: number;
  metadata: { storeId: string; subscriptionName: string; supervisor: string; restartCount: number };
}
