import { Injectable, Logger } from '@nestjs/common';
import {
  OnAlerts,
  OnHealth,
  OnMetrics,
  OnSecurity,
  PubSubManager,
  type AccessViolation,
  type NodeHealth,
  type PubSubMessage,
  type ThroughputMetric,
} from '@gater/pubsub';
import type { Alert } from '../demo-events.js';

interface Rate {
  channel: string;
  perSecond: number;
}

/**
 * What the library itself does, readable and quiet: one line per health broadcast, one per metrics
 * broadcast (its ten per-channel messages summed up), every alert the library or an operator raises, and
 * access violations. The simulator's own traffic is logged by the other consumers at debug level.
 */
@Injectable()
export class LibraryActivityConsumer {
  private readonly logger = new Logger('PubSubActivity');
  private rates: Rate[] = [];
  private flushScheduled = false;

  constructor(private readonly manager: PubSubManager) {}

  @OnHealth('cluster:health')
  onHealth({ type, node, payload }: PubSubMessage<NodeHealth>): void {
    if (type !== 'node_health_updated' || node !== this.manager.nodeName) return;
    const p99 = payload.checks?.eventLoopDelayP99Ms;
    const delay = typeof p99 === 'number' ? `, event-loop delay p99 ${p99.toFixed(1)} ms` : '';
    this.logger.log(`health broadcast: node ${node} ${payload.status}${delay}, live nodes ${this.manager.nodes().length}`);
  }

  @OnMetrics('throughput')
  onThroughput({ node, payload }: PubSubMessage<ThroughputMetric>): void {
    if (node !== this.manager.nodeName) return;
    const seconds = Math.max(0.001, Number(payload.durationMs) / 1000);
    this.rates.push({ channel: String(payload.operation).replace(/^publish:/, ''), perSecond: Number(payload.count) / seconds });
    // The broadcaster sends one message per channel in one go: summarise them once they have all arrived.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setTimeout(() => this.flushRates(), 50).unref();
    }
  }

  @OnAlerts('*')
  onAlert({ topic, payload }: PubSubMessage<Alert>): void {
    if (payload.source === undefined) return; // the simulator's sample alerts
    const text = `alert ${topic} from ${payload.source}: ${payload.title ?? payload.message}`;
    if (payload.severity === 'critical' || payload.severity === 'error') this.logger.error(text);
    else this.logger.warn(text);
  }

  @OnSecurity('access_violations')
  onViolation({ payload }: PubSubMessage<AccessViolation>): void {
    this.logger.warn(`access violation: ${payload.violationType} on ${payload.resource} (${JSON.stringify(payload.metadata ?? {})})`);
  }

  private flushRates(): void {
    this.flushScheduled = false;
    const rates = this.rates.splice(0).sort((a, b) => b.perSecond - a.perSecond);
    const total = rates.reduce((sum, rate) => sum + rate.perSecond, 0);
    const busiest = rates
      .slice(0, 3)
      .map((rate) => `${rate.channel} ${rate.perSecond.toFixed(1)}/s`)
      .join(', ');
    this.logger.log(`metrics broadcast: ${total.toFixed(1)} publications/s over ${rates.length} channels (busiest: ${busiest})`);
  }
}
