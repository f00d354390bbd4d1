import { Injectable, Logger } from '@nestjs/common';
import { OnAlerts, OnHealth, OnLifecycle, type PubSubMessage } from '@gater/pubsub';
import type { Alert, ProcessLifecycle, SubscriptionHealth } from '../demo-events.js';

/** Incident response: every alert, with the latest health and lifecycle news as context. */
@Injectable()
export class IncidentResponseConsumer {
  private readonly logger = new Logger('IncidentResponse');
  private lastHealth = 'none yet';
  private lastLifecycle = 'none yet';
  received = 0;

  @OnAlerts('system_alerts:*')
  onAlert({ topic, payload }: PubSubMessage<Alert>): void {
    this.received++;
    const level = topic.split(':')[1];
    this.logger.debug(
      `${payload.source === undefined ? '[simulated] ' : ''}${level} alert: ${payload.message ?? payload.title} | health: ${this.lastHealth} | lifecycle: ${this.lastLifecycle}`,
    );
  }

  @OnHealth('subscription_health:*')
  onSubscriptionHealth({ type, payload }: PubSubMessage<SubscriptionHealth>): void {
    this.received++;
    this.lastHealth = `${payload.subscriptionName} ${type}`;
    this.logger.debug(`[simulated] context updated, health: ${this.lastHealth}`);
  }

  @OnLifecycle('process_lifecycle:*')
  onProcessLifecycle({ type, payload }: PubSubMessage<ProcessLifecycle>): void {
    this.received++;
    this.lastLifecycle = `${payload.processType} ${payload.pid} ${type}`;
    this.logger.debug(`[simulated] context updated, lifecycle: ${this.lastLifecycle}`);
  }
}
