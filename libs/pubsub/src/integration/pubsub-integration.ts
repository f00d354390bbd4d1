import type { ChannelSet } from '../channels/channel-set.js';
import type { ChannelName } from '../channels/channel-names.js';
import type { PublishResult } from '../channels/channel.types.js';
import { describeError } from '../describe-error.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { AlertMessages } from '../messages/alert.messages.js';
import { AuditMessages } from '../messages/audit.messages.js';
import { DiagnosticsMessages } from '../messages/diagnostics.messages.js';
import { HealthMessages } from '../messages/health.messages.js';
import { LifecycleMessages } from '../messages/lifecycle.messages.js';
import type { CatalogueMessage } from '../messages/message-factory.js';
import { SystemMessages } from '../messages/system.messages.js';
import { isValidTopic } from '../routing/topic-grammar.js';
import { clusterHealthFields, metricsMessage } from './integration-payloads.js';
import type { PubSubConfigService } from './pubsub-config.service.js';

export type BatchEvent =
  | { kind: 'system_lifecycle'; event: string; systemName: string; version: string }
  | { kind: 'health_update'; component: string; status: string; details?: Record<string, unknown> }
  | { kind: 'metrics'; component: string; metrics: Record<string, unknown> }
  | { kind: 'alert'; alertType: string; severity: string; message: string; context?: Record<string, unknown> };

export interface BatchResult {
  success: number;
  errors: number;
  disabled?: true;
}

export interface SystemConfigOptions {
  topic?: string;
  previousConfig?: Record<string, unknown> | null;
  changedBy?: string;
}

type Details = Record<string, unknown> | undefined;

/** Refused arguments surface as 'invalid_message', whatever layer noticed them. */
const ARGUMENT_REASONS = new Set(['invalid_message', 'invalid_topic', 'invalid_type']);

/**
 * ExESDB.PubSubIntegration as its documentation intends: one method per integration point, each publishing a
 * catalogue message on its channel. Every method returns a PublishResult and never throws.
 */
export class PubSubIntegration {
  constructor(
    private readonly channels: ChannelSet,
    private readonly config: PubSubConfigService,
    private readonly logger: PubSubLogger,
  ) {}

  broadcastSystemLifecycle(event: string, systemName: string, version: string): PublishResult {
    return this.send(
      'system lifecycle',
      'system',
      () => 'lifecycle',
      () => SystemMessages.systemLifecycle({ event, systemName, version } as never),
    );
  }

  broadcastSystemConfig(component: string, changes: Record<string, unknown>, opts: SystemConfigOptions = {}): PublishResult {
    return this.send(
      'system config',
      'system',
      () => opts.topic ?? 'config',
      () =>
        SystemMessages.systemConfig({
          component,
          changes,
          previousConfig: opts.previousConfig ?? null,
          changedBy: opts.changedBy,
        } as never),
    );
  }

  broadcastHealthUpdate(component: string, status: string, details?: Details): PublishResult {
    return this.send(
      'health update',
      'health',
      () => 'component_health',
      () => HealthMessages.componentHealth({ component, status, details: objectOf(details) } as never),
    );
  }

  broadcastStoreHealth(storeId: string, component: string, status: string, details?: Details): PublishResult {
    return this.send(
      'store health',
      'health',
      () => `${text(storeId, 'storeId')}:health`,
      () => HealthMessages.componentHealth({ component, status, details: { ...objectOf(details), storeId } } as never),
    );
  }

  broadcastClusterHealth(connectedNodes: string[], disconnectedNodes: string[], event: string): PublishResult {
    return this.send(
      'cluster health',
      'health',
      () => 'cluster:health',
      () => HealthMessages.clusterHealth(clusterHealthFields(connectedNodes, disconnectedNodes, event) as never),
    );
  }

  broadcastMetrics(component: string, metrics: Record<string, unknown>): PublishResult {
    return this.send(
      'metrics',
      'metrics',
      () => text(component, 'component'),
      () => metricsMessage(component, objectOf(metrics, 'metrics')),
    );
  }

  broadcastAlert(alertType: string, severity: string, message: string, context?: Details): PublishResult {
    return this.send(
      'alert',
      'alerts',
      () => text(alertType, 'alertType'),
      () => {
        const ctx = objectOf(context);
        return AlertMessages.systemAlert({
          severity,
          category: ctx.category ?? 'system',
          title: message,
          description: ctx.description ?? message,
          source: alertType,
          metadata: ctx,
        } as never);
      },
    );
  }

  broadcastAuditEvent(eventType: string, actor: string, resource: string, action: string, details?: Details): PublishResult {
    return this.send(
      'audit event',
      'audit',
      () => text(eventType, 'eventType'),
      () =>
        AuditMessages.dataChange({
          userId: actor,
          resourceType: eventType,
          resourceId: resource,
          action,
          changes: objectOf(details),
        } as never),
    );
  }

  broadcastLifecycleEvent(eventType: string, processName: string, details?: Details): PublishResult {
    return this.send(
      'lifecycle event',
      'lifecycle',
      () => 'process_lifecycle',
      () => {
        const extra = objectOf(details);
        return LifecycleMessages.processLifecycle({
          name: processName,
          event: eventType,
          reason: extra.reason ?? null,
          restartCount: extra.restartCount ?? 0,
        } as never);
      },
    );
  }

  broadcastDiagnostic(diagnosticType: string, component: string, data: unknown): PublishResult {
    return this.send(
      'diagnostic',
      'diagnostics',
      () => 'diagnostics',
      () => DiagnosticsMessages.debugTrace({ component, operation: diagnosticType, traceData: data } as never),
    );
  }

  broadcastBatch(events: BatchEvent[]): BatchResult {
    if (!this.config.isEnabled()) return { success: 0, errors: 0, disabled: true };
    const result: BatchResult = { success: 0, errors: 0 };
    let list: unknown[];
    try {
      if (!Array.isArray(events)) {
        this.logger.warn('Failed to broadcast batch: events must be an array');
        return { success: 0, errors: 1 };
      }
      list = [...events];
    } catch (error) {
      this.logger.warn(`Failed to broadcast batch: ${describeError(error)}`);
      return { success: 0, errors: 1 };
    }
    // Each event on its own: one that throws (a hostile getter) is an error, and the rest are still sent.
    for (const event of list) {
      let ok = false;
      try {
        ok = this.sendBatchEvent(event as BatchEvent).ok;
      } catch (error) {
        this.logger.warn(`Failed to broadcast batch event: ${describeError(error)}`);
      }
      if (ok) result.success++;
      else result.errors++;
    }
    return result;
  }

  private sendBatchEvent(event: BatchEvent): PublishResult {
    switch (event?.kind) {
      case 'system_lifecycle':
        return this.broadcastSystemLifecycle(event.event, event.systemName, event.version);
      case 'health_update':
        return this.broadcastHealthUpdate(event.component, event.status, event.details);
      case 'metrics':
        return this.broadcastMetrics(event.component, event.metrics);
      case 'alert':
        return this.broadcastAlert(event.alertType, event.severity, event.message, event.context);
      default:
        return this.invalid('batch event', `unknown kind ${JSON.stringify((event as { kind?: unknown } | null)?.kind) ?? 'undefined'}`);
    }
  }

  private send(operation: string, channel: ChannelName, topicOf: () => string, build: () => CatalogueMessage): PublishResult {
    if (!this.config.isEnabled()) return { ok: false, reason: 'disabled', error: ERRORS.integrationDisabled };
    try {
      const topic = topicOf();
      if (!isValidTopic(topic)) return this.invalid(operation, `'${topic}' is not a valid topic`);
      const result = this.channels.channel(channel).publish(topic, build());
      if (result.ok) return result;
      if (ARGUMENT_REASONS.has(result.reason)) return this.invalid(operation, result.error);
      this.logger.warn(`Failed to broadcast ${operation}: ${result.reason}`);
      return result;
    } catch (error) {
      return this.invalid(operation, describeError(error));
    }
  }

  private invalid(operation: string, reason: string): PublishResult {
    this.logger.warn(`Failed to broadcast ${operation}: ${reason}`);
    return { ok: false, reason: 'invalid_message', error: reason };
  }
}

/** Optional detail maps: absent is {}, anything but a plain object is a bad argument. */
function objectOf(value: unknown, name = 'details'): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new PubSubError('invalid_argument', ERRORS.argumentNotAnObject(name));
  return { ...(value as Record<string, unknown>) };
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new PubSubError('invalid_argument', ERRORS.argumentNotText(name));
  return value;
}
