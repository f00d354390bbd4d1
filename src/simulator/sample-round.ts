import type {
  Alert,
  AuthFailure,
  PerformanceTrace,
  ProcessLifecycle,
  SubscriptionHealth,
  SubscriptionMetric,
  UserAction,
} from '../demo-events.js';

/** One publication: a topic and a `{ type, payload }` message, ready for `channel.publish(topic, message)`. */
export interface SampleEvent<P = unknown> {
  topic: string;
  message: { type: string; payload: P };
}

const STORE = 'production_store';
const SUBSCRIPTION = 'user_projection';
const SERVICES = ['gateway', 'persistence', 'emitter'] as const;
const pick = <T>(list: readonly T[], round: number): T => list[round % list.length]!;
const between = (min: number, max: number): number => Math.round(min + Math.random() * (max - min));

export function domainEvent(round: number, now: number): SampleEvent {
  const type = pick(['user_registered', 'email_changed', 'order_placed'], round);
  const streamId = `user-${100 + (round % 7)}`;
  return { topic: `event_stream:${streamId}`, message: { type, payload: { streamId, version: round, timestamp: now } } };
}

export function systemStatus(round: number, now: number): SampleEvent {
  const component = pick(SERVICES, round);
  return { topic: `system_status:${component}`, message: { type: 'system_status', payload: { component, status: 'up', timestamp: now } } };
}

/** `log_entry` is a catalogue type: the channel validates it on publish. */
export function logEntry(round: number, now: number): SampleEvent {
  const service = pick(SERVICES, round);
  const level = pick(['info', 'debug', 'info', 'warn'], round);
  const message = level === 'warn' ? 'slow append to stream' : `handled request #${round}`;
  return {
    topic: `logs:${service}:${level}`,
    message: { type: 'log_entry', payload: { level, message, module: service, pid: process.pid, metadata: {}, timestamp: now } },
  };
}

export function subscriptionHealth(now: number): SampleEvent<SubscriptionHealth> {
  return {
    topic: `subscription_health:${STORE}:${SUBSCRIPTION}`,
    message: {
      type: 'registration_success',
      payload: {
        storeId: STORE,
        subscriptionName: SUBSCRIPTION,
        timestamp: now,
        metadata: { proxyPid: '<0.123.0>', subscriberPid: '<0.124.0>', registrationTime: now },
      },
    },
  };
}

export function subscriptionMetric(now: number): SampleEvent<SubscriptionMetric> {
  return {
    topic: `subscription_metrics:${STORE}:${SUBSCRIPTION}`,
    message: {
      type: 'registration_attempt',
      payload: {
        storeId: STORE,
        subscriptionName: SUBSCRIPTION,
        timestamp: now,
        metadata: { result: 'ok', source: 'subscription_metrics', processingTimeMs: between(20, 80) },
      },
    },
  };
}

export function authFailure(round: number, now: number): SampleEvent<AuthFailure> {
  return {
    topic: 'security_events:authentication',
    message: {
      type: 'authentication_failure',
      payload: {
        userId: 'suspicious_user',
        ipAddress: '203.0.113.7',
        timestamp: now,
        reason: 'invalid_credentials',
        metadata: { attemptCount: round + 1, userAgent: 'curl/7.68.0' },
      },
    },
  };
}

export function userAction(now: number): SampleEvent<UserAction> {
  return {
    topic: 'audit_trail:user_actions',
    message: {
      type: 'user_action',
      payload: {
        userId: 'admin_user',
        action: 'delete_subscription',
        resource: 'subscription_123',
        timestamp: now,
        metadata: { storeId: STORE, ipAddress: '198.51.100.23', sessionId: 'sess_abc123' },
      },
    },
  };
}

export function alert(level: 'critical' | 'warning', now: number): SampleEvent<Alert> {
  const critical = level === 'critical';
  return {
    topic: `system_alerts:${level}`,
    message: {
      type: critical ? 'critical_alert' : 'warning_alert',
      payload: {
        severity: critical ? 'high' : 'medium',
        component: 'subscription_system',
        message: critical ? 'Circuit breaker opened for multiple subscriptions' : `Subscription lag above 5 s on ${SUBSCRIPTION}`,
        timestamp: now,
        metadata: critical
          ? { affectedSubscriptions: 5, estimatedImpact: '50% of real-time projections offline', escalationRequired: true }
          : { lagMs: 5_400, escalationRequired: false },
      },
    },
  };
}

export function performanceTrace(now: number): SampleEvent<PerformanceTrace> {
  return {
    topic: 'diagnostics:performance_trace',
    message: {
      type: 'performance_trace',
      payload: {
        component: 'subscription_proxy',
        operation: 'deliver_batch',
        durationMs: between(2, 40),
        timestamp: now,
        traceData: { batchSize: between(1, 50), queueDepth: between(0, 10) },
      },
    },
  };
}

export function proxyStarted(round: number, now: number): SampleEvent<ProcessLifecycle> {
  return {
    topic: 'process_lifecycle:subscription_proxies',
    message: {
      type: 'process_started',
      payload: {
        processType: 'subscription_proxy',
        pid: `<0.${789 + round}.0>`,
        timestamp: now,
        metadata: { storeId: STORE, subscriptionName: SUBSCRIPTION, supervisor: '<0.456.0>', restartCount: 0 },
      },
    },
  };
}
