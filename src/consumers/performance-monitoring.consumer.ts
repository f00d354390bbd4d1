import { Injectable, Logger } from '@nestjs/common';
import { OnDiagnostics, OnMetrics, type PubSubMessage } from '@gater/pubsub';
import type { PerformanceTrace, SubscriptionMetric } from '../demo-events.js';

/** Performance monitoring: subscription metrics and performance traces. */
@Injectable()
export class PerformanceMonitoringConsumer {
  private readonly logger = new Logger('PerformanceMonitoring');
  received = 0;

  @OnMetrics('subscription_metrics:*')
  onSubscriptionMetric({ type, payload }: PubSubMessage<SubscriptionMetric>): void {
    this.received++;
    this.logger.debug(
      `[simulated] ${payload.subscriptionName} ${type}: ${payload.metadata.result} in ${payload.metadata.processingTimeMs} ms`,
    );
  }

  @OnDiagnostics('diagnostics:performance_trace')
  onPerformanceTrace({ payload }: PubSubMessage<PerformanceTrace>): void {
    this.received++;
    const { batchSize, queueDepth } = payload.traceData;
    this.logger.debug(
      `[simulated] ${payload.component}.${payload.operation} took ${payload.durationMs} ms (batch ${batchSize}, queue ${queueDepth})`,
    );
  }
}
