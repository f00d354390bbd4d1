import { Module } from '@nestjs/common';
import { PubSubModule } from '@gater/pubsub';
import { ClusterWatcher } from './consumers/cluster-watcher.consumer.js';
import { HealthDashboardConsumer } from './consumers/health-dashboard.consumer.js';
import { IncidentResponseConsumer } from './consumers/incident-response.consumer.js';
import { PerformanceMonitoringConsumer } from './consumers/performance-monitoring.consumer.js';
import { SecurityOperationsConsumer } from './consumers/security-operations.consumer.js';
import { EventStoreSimulator } from './simulator/event-store-simulator.service.js';
import { ChannelStatsReporter } from './stats/channel-stats-reporter.service.js';

@Module({
  imports: [
    // In memory by default. The environment configures the rest without code changes:
    // PUBSUB_REDIS_URL (Redis transport), SECRET_KEY_BASE, PUBSUB_INTEGRATION, PUBSUB_*_BROADCAST_INTERVAL.
    PubSubModule.forRoot(),
  ],
  providers: [
    EventStoreSimulator,
    ChannelStatsReporter,
    HealthDashboardConsumer,
    SecurityOperationsConsumer,
    PerformanceMonitoringConsumer,
    IncidentResponseConsumer,
    ClusterWatcher,
  ],
})
export class AppModule {}
