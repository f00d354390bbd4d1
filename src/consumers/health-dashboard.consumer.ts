import { Injectable, Logger } from '@nestjs/common';
import { OnHealth, OnLifecycle, type PubSubMessage } from '@gater/pubsub';
import type { ProcessLifecycle, SubscriptionHealth } from '../demo-events.js';

/** Health dashboard: subscription health and process lifecycle (seeds, Consumer Patterns). */
@Injectable()
export class HealthDashboardConsumer {
  private readonly logger = new Logger('HealthDashboard');
  received = 0;

  @OnHealth('subscription_health:*')
  onSubscriptionHealth({ type, payload }: PubSubMessage<SubscriptionHealth>): void {
    this.received++;
    this.logger.debug(`[simulated] ${payload.storeId}/${payload.subscriptionName}: ${type} (proxy ${payload.metadata.proxyPid})`);
  }

  @OnLifecycle('process_lifecycle:*')
  onProcessLifecycle({ type, payload }: PubSubMessage<ProcessLifecycle>): void {
    this.received++;
    this.logger.debug(`[simulated] ${payload.processType} ${payload.pid}: ${type}, restarts ${payload.metadata.restartCount}`);
  }
}
