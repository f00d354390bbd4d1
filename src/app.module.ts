import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PubSubModule } from '@gater/pubsub';
import type { Registry } from 'prom-client';
import { HealthController } from './api/health.controller.js';
import { MetricsController } from './api/metrics.controller.js';
import { OperationsController } from './api/operations.controller.js';
import { StreamController } from './api/stream.controller.js';
import { ClusterWatcher } from './consumers/cluster-watcher.consumer.js';
import { HealthDashboardConsumer } from './consumers/health-dashboard.consumer.js';
import { IncidentResponseConsumer } from './consumers/incident-response.consumer.js';
import { LibraryActivityConsumer } from './consumers/library-activity.consumer.js';
import { PerformanceMonitoringConsumer } from './consumers/performance-monitoring.consumer.js';
import { SecurityOperationsConsumer } from './consumers/security-operations.consumer.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { demoBroadcastIntervals, demoNodeName } from './demo-settings.js';
import { DemoMetricsModule, METRICS_REGISTRY } from './observability/demo-metrics.module.js';
import { EventStoreSimulator } from './simulator/event-store-simulator.service.js';
import { ChannelStatsReporter } from './stats/channel-stats-reporter.service.js';

/** The seeds' consumer patterns, plus the cluster watcher and the log of the library's own activity. */
export const CONSUMERS = [
  HealthDashboardConsumer,
  SecurityOperationsConsumer,
  PerformanceMonitoringConsumer,
  IncidentResponseConsumer,
  ClusterWatcher,
  LibraryActivityConsumer,
];

@Module({
  imports: [
    // In memory by default. The environment configures the rest without code changes:
    // PUBSUB_REDIS_URL (Redis transport; it needs SECRET_KEY_BASE to sign its frames), SECRET_KEY_BASE,
    // PUBSUB_INTEGRATION, PUBSUB_*_BROADCAST_INTERVAL.
    PubSubModule.forRootAsync({
      imports: [DemoMetricsModule],
      inject: [METRICS_REGISTRY],
      useFactory: (registry: Registry) => ({ ...demoBroadcastIntervals(), ...demoNodeName(), metrics: { registry } }),
    }),
    DemoMetricsModule,
    TerminusModule,
  ],
  controllers: [DashboardController, StreamController, OperationsController, HealthController, MetricsController],
  providers: [EventStoreSimulator, ChannelStatsReporter, ...CONSUMERS],
})
export class AppModule {}
