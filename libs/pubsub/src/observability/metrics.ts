import type { ChannelSet } from '../channels/channel-set.js';
import type { ChannelName } from '../channels/channel-names.js';
import { ERRORS } from '../error-messages.js';
import { exportOf, loadPeer, type OptionalPeer } from '../load-peer.js';
import { PubSubError } from '../pubsub-error.js';
import type { MetricsRegistry, MetricsSettings } from '../settings/metrics-settings.js';
import type { TransportStats } from '../transport/transport-stats.js';
import { canWriteTallies, DurationTally, writeTally } from './duration-tally.js';
import { joinFamily, leaveFamily, type FamilyMember, type FamilySpec, type PromClient, type PromMetric } from './metric-families.js';

export const PROM_CLIENT_PEER: OptionalPeer = { specifier: 'prom-client', range: '^15.0.0', feature: "the 'metrics' option" };

/** Handler durations from a tenth of a millisecond (an in-process bus) to ten seconds. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface MetricsSource {
  channels: ChannelSet;
  transport: { stats(): TransportStats; nodes(): string[] };
}

type StatCounter = 'published' | 'delivered' | 'handlerErrors' | 'dropped' | 'lost';
const PER_CHANNEL_COUNTERS: readonly [string, string, StatCounter][] = [
  ['gater_pubsub_messages_published_total', 'Publications accepted, per channel', 'published'],
  ['gater_pubsub_messages_delivered_total', 'Handler calls that completed without error, per channel', 'delivered'],
  ['gater_pubsub_handler_errors_total', 'Handler calls that threw or rejected (retries included), per channel', 'handlerErrors'],
  ['gater_pubsub_messages_dropped_total', 'Messages discarded by full mailboxes, per channel', 'dropped'],
  ['gater_pubsub_messages_lost_total', 'Messages from other nodes known never to have arrived, per channel', 'lost'],
];
const DURATION_METRIC = 'gater_pubsub_handler_duration_seconds';

/**
 * The library's Prometheus metrics for one application, read from the counters the channels already keep at
 * each scrape (never labelled by topic), plus handler durations timed by a subscribe-time wrapper.
 */
export class PubSubMetrics {
  private readonly joined: { name: string; member: FamilyMember }[] = [];
  private readonly tallies = new Map<ChannelName, DurationTally>();

  private constructor(
    private readonly source: MetricsSource,
    private readonly registry: MetricsRegistry,
    private readonly labels: Record<string, string>,
  ) {}

  static async start(source: MetricsSource, settings: MetricsSettings): Promise<PubSubMetrics> {
    const loaded = await loadPeer<unknown>(PROM_CLIENT_PEER);
    const prom = {
      Counter: exportOf(loaded, 'Counter'),
      Gauge: exportOf(loaded, 'Gauge'),
      Histogram: exportOf(loaded, 'Histogram'),
      register: exportOf(loaded, 'register'),
    } as PromClient;
    const metrics = new PubSubMetrics(source, settings.registry ?? prom.register, settings.labels);
    try {
      metrics.register(prom, settings.buckets);
    } catch (error) {
      metrics.close();
      throw error;
    }
    return metrics;
  }

  /** Where a subscription on `channel` counts its handler durations. */
  durationsOf(channel: ChannelName): DurationTally {
    return this.tallies.get(channel)!;
  }

  /** Unregisters this application's metrics (the families go when no other application reports them). */
  close(): void {
    for (const { name, member } of this.joined.splice(0)) leaveFamily(this.registry, name, member);
  }

  private register(prom: PromClient, buckets: readonly number[]): void {
    const { channels, transport } = this.source;
    const perChannel = (channel: ChannelName, extra?: Record<string, string>) => ({ ...this.labels, channel, ...extra });
    for (const [name, help, counter] of PER_CHANNEL_COUNTERS) {
      this.join(prom, { name, help, kind: 'Counter', labelNames: ['channel'] }, (metric) => {
        for (const channel of channels.channels()) metric.inc(perChannel(channel.name), channel.counters[counter]);
      });
    }
    this.join(
      prom,
      {
        name: 'gater_pubsub_publish_failures_total',
        help: 'Publications refused or not sent, per channel and reason',
        kind: 'Counter',
        labelNames: ['channel', 'reason'],
      },
      (metric) => {
        for (const channel of channels.channels()) {
          for (const [reason, count] of channel.counters.failuresByReason) metric.inc(perChannel(channel.name, { reason }), count);
        }
      },
    );
    this.join(
      prom,
      {
        name: 'gater_pubsub_mailbox_depth',
        help: 'Messages waiting in the mailboxes, per channel',
        kind: 'Gauge',
        labelNames: ['channel'],
      },
      (metric) => {
        for (const stats of channels.stats()) metric.set(perChannel(stats.channel), stats.mailboxDepth);
      },
    );
    this.join(
      prom,
      { name: 'gater_pubsub_transport_connected', help: '1 while the transport is connected, else 0', kind: 'Gauge', labelNames: [] },
      (metric) => {
        metric.set({ ...this.labels }, transport.stats().up ? 1 : 0);
      },
    );
    this.join(prom, { name: 'gater_pubsub_nodes', help: 'Live nodes, this one included', kind: 'Gauge', labelNames: [] }, (metric) => {
      metric.set({ ...this.labels }, transport.nodes().length);
    });
    const durationLabels = new Map<ChannelName, Record<string, string>>();
    for (const channel of channels.channels()) {
      this.tallies.set(channel.name, new DurationTally(buckets));
      durationLabels.set(channel.name, perChannel(channel.name));
    }
    const durations = this.join(
      prom,
      {
        name: DURATION_METRIC,
        help: 'Handler call durations in seconds, per channel',
        kind: 'Histogram',
        labelNames: ['channel'],
        buckets,
      },
      (metric) => {
        for (const [channel, tally] of this.tallies) writeTally(metric, durationLabels.get(channel)!, tally);
      },
    );
    if (!canWriteTallies(durations))
      throw new PubSubError(
        'missing_peer',
        ERRORS.peerWithoutExport(PROM_CLIENT_PEER.specifier, 'a Histogram with zero() and per-series state', PROM_CLIENT_PEER.range),
      );
  }

  private join(prom: PromClient, spec: FamilySpec, collect: (metric: PromMetric) => void): PromMetric {
    const member: FamilyMember = { labels: this.labels, collect };
    const metric = joinFamily(prom, this.registry, spec, member);
    this.joined.push({ name: spec.name, member });
    return metric;
  }
}
