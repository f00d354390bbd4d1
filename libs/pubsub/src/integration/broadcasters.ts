import type { Channel } from '../channels/channel.js';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { ChannelSet } from '../channels/channel-set.js';
import type { PublishResult } from '../channels/channel.types.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { HealthMessages, type HealthStatus } from '../messages/health.messages.js';
import { MetricsMessages } from '../messages/metrics.messages.js';
import type { CatalogueMessage } from '../messages/message-factory.js';
import { ChannelIntervals, channelStatus } from './channel-snapshots.js';
import { clusterHealthFields } from './integration-payloads.js';
import { IntervalJob } from './interval-job.js';
import { NodeHealthProbe } from './node-health-probe.js';
import type { PubSubConfigService } from './pubsub-config.service.js';

export const HEALTH_BROADCAST_JOB = 'pubsub:health-broadcast';
export const METRICS_BROADCAST_JOB = 'pubsub:metrics-broadcast';

export interface BroadcasterDependencies {
  channels: ChannelSet;
  config: PubSubConfigService;
  registry: SchedulerRegistry;
  logger: PubSubLogger;
  nodes: () => string[];
}

/**
 * The two periodic broadcasters of the integration guide. They run while the integration layer is enabled,
 * re-arm when an interval changes, and stop on shutdown.
 */
export class Broadcasters {
  readonly health: IntervalJob;
  readonly metrics: IntervalJob;
  private readonly probe = new NodeHealthProbe();
  private readonly healthIntervals = new ChannelIntervals();
  private readonly metricsIntervals = new ChannelIntervals();
  private stopListening: (() => void) | undefined;

  constructor(private readonly deps: BroadcasterDependencies) {
    const { registry, config, logger } = deps;
    this.health = new IntervalJob(
      HEALTH_BROADCAST_JOB,
      registry,
      () => config.healthBroadcastInterval,
      () => this.broadcastHealth(),
      logger,
    );
    this.metrics = new IntervalJob(
      METRICS_BROADCAST_JOB,
      registry,
      () => config.metricsBroadcastInterval,
      () => this.broadcastMetrics(),
      logger,
    );
  }

  start(): void {
    this.probe.start();
    this.stopListening = this.deps.config.onChange((change) => {
      if (change === 'enabled') this.applyEnabled();
      else if (this.deps.config.isEnabled()) (change === 'healthBroadcastInterval' ? this.health : this.metrics).arm();
    });
    this.applyEnabled();
  }

  stop(): void {
    this.stopListening?.();
    this.health.disarm();
    this.metrics.disarm();
    this.probe.stop();
  }

  /** node_health_updated and cluster_health_updated on `cluster:health`, component health per channel. */
  broadcastHealth(): void {
    const { channels } = this.deps;
    const statuses: Record<string, HealthStatus> = {};
    for (const interval of this.healthIntervals.next(channels.stats())) {
      const status = channelStatus(interval);
      statuses[interval.channel] = status;
      const { subscriptions, mailboxDepth, instance } = interval.stats;
      this.publish(
        'health',
        `channel_health:${interval.channel}`,
        HealthMessages.componentHealth({
          component: interval.channel,
          status,
          details: {
            instance,
            subscriptions,
            mailboxDepth,
            handlerErrors: interval.handlerErrors,
            dropped: interval.dropped,
            failedPublications: interval.failedPublications,
            lost: interval.lost,
            intervalMs: interval.durationMs,
            ...durableDetails(channels.channel(interval.channel).durableLag()),
          },
          lastCheck: Date.now(),
        }),
      );
    }
    const sample = this.probe.sample(statuses);
    this.publish(
      'health',
      'cluster:health',
      HealthMessages.nodeHealth({ status: sample.status, checks: sample.checks, loadAvg: sample.loadAvg, memoryUsage: sample.memoryUsage }),
    );
    this.publish(
      'health',
      'cluster:health',
      HealthMessages.clusterHealth(clusterHealthFields(this.deps.nodes(), [], 'periodic_check') as never),
    );
  }

  /** Per channel: throughput_metric on `throughput`, latency_metric (handler time) on `latency`. */
  broadcastMetrics(): void {
    for (const interval of this.metricsIntervals.next(this.deps.channels.stats())) {
      const { channel } = interval;
      this.publish(
        'metrics',
        'throughput',
        MetricsMessages.throughputMetric({
          operation: `publish:${channel}`,
          count: interval.published,
          durationMs: interval.durationMs,
        }),
      );
      const latency = this.deps.channels.channel(channel).counters.latency.takeSnapshot();
      this.publish(
        'metrics',
        'latency',
        MetricsMessages.latencyMetric({
          operation: `handle:${channel}`,
          latencyMs: latency.p99,
          percentile: 'p99',
          sampleCount: latency.count,
          percentiles: { p50: latency.p50, p95: latency.p95, p99: latency.p99, max: latency.max, min: latency.min, avg: latency.avg },
        }),
      );
    }
  }

  private applyEnabled(): void {
    if (this.deps.config.isEnabled()) {
      this.startFreshIntervals();
      this.health.arm();
      this.metrics.arm();
    } else {
      this.health.disarm();
      this.metrics.disarm();
    }
  }

  // After a pause, the first interval reports from now, not the whole time the layer was disabled.
  private startFreshIntervals(): void {
    const stats = this.deps.channels.stats();
    this.healthIntervals.next(stats);
    this.metricsIntervals.next(stats);
    for (const channel of this.deps.channels.channels()) channel.counters.latency.takeSnapshot();
  }

  private publish(channel: 'health' | 'metrics', topic: string, message: CatalogueMessage): PublishResult {
    const result = this.deps.channels.channel(channel).publish(topic, message);
    if (!result.ok)
      this.deps.logger.warn(`Broadcast of ${message.type} on ${channel} ${topic} failed: ${result.reason} ${result.error ?? ''}`);
    return result;
  }
}

/** For channels with durable subscriptions: what is delivered and unacknowledged, and each name's lag. */
function durableDetails(lags: ReturnType<Channel['durableLag']>): Record<string, unknown> {
  if (lags.length === 0) return {};
  let pending = 0;
  const lag: Record<string, { pending: number; backlog: number; oldestMs: number }> = {};
  for (const { durable, ...group } of lags) {
    pending += group.pending;
    lag[durable] = group;
  }
  return { pending, lag };
}
