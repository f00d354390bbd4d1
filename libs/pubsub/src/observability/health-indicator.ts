import type { ChannelSet } from '../channels/channel-set.js';
import { ERRORS } from '../error-messages.js';
import { exportOf, loadPeer, type OptionalPeer } from '../load-peer.js';
import { PubSubError } from '../pubsub-error.js';
import type { TransportLayer } from '../transport/transport-contract.js';
import { healthReport, type PubSubHealthDetail } from './health-report.js';
import { RecentCounts } from './recent-counts.js';

export const TERMINUS_PEER: OptionalPeer = { specifier: '@nestjs/terminus', range: '^11.0.0 || ^12.0.0', feature: 'PubSubHealthIndicator' };

/** The result terminus expects from an indicator (`HealthIndicatorResult`), kept structural: terminus is optional. */
export type PubSubHealthResult<Key extends string = string> = Record<Key, { status: 'up' | 'down' } & PubSubHealthDetail>;

/** The part of terminus's HealthIndicatorService (terminus 11 style) the indicator uses. */
interface IndicatorSessions {
  check(key: string): { up(data: object): unknown; down(data: object): unknown };
}

export interface HealthIndicatorSource {
  channels: ChannelSet;
  transport: TransportLayer;
  /** "Recent" drops and losses are those within this window (the alerting window). */
  windowMs: number;
}

/**
 * A `@nestjs/terminus` health indicator, provided by PubSubModule (one per application): use it from your own
 * terminus controller, `health.check([() => pubsub.isHealthy()])`. Terminus is loaded on the first check.
 */
export class PubSubHealthIndicator {
  private sessions: Promise<IndicatorSessions> | undefined;
  private readonly recent: RecentCounts;

  constructor(private readonly source: HealthIndicatorSource) {
    this.recent = new RecentCounts(source.windowMs);
  }

  /** Up while every channel is open and the transport connected, with per-channel detail; down otherwise. */
  async isHealthy<const Key extends string = 'pubsub'>(key: Key = 'pubsub' as Key): Promise<PubSubHealthResult<Key>> {
    const session = (await this.loadSessions()).check(key);
    const { up, detail } = this.report();
    return (up ? session.up(detail) : session.down(detail)) as PubSubHealthResult<Key>;
  }

  /** The same verdict and detail without terminus (for dashboards and broadcasts). */
  report(): { up: boolean; detail: PubSubHealthDetail } {
    const { channels, transport } = this.source;
    const stats = channels.stats();
    const transportStats = transport.stats();
    return healthReport({
      node: channels.nodeName,
      nodes: transport.nodes().length,
      stats,
      closed: new Set(
        channels
          .channels()
          .filter((channel) => channel.isClosed)
          .map((channel) => channel.name),
      ),
      recent: this.recent.read(stats),
      transport: { type: transportStats.kind, connected: transportStats.up },
    });
  }

  private loadSessions(): Promise<IndicatorSessions> {
    this.sessions ??= loadPeer(TERMINUS_PEER).then((terminus) => {
      const Service = exportOf<new () => IndicatorSessions>(terminus, 'HealthIndicatorService');
      if (typeof Service !== 'function')
        throw new PubSubError(
          'missing_peer',
          ERRORS.peerWithoutExport(TERMINUS_PEER.specifier, 'HealthIndicatorService', TERMINUS_PEER.range),
        );
      return new Service();
    });
    // A failed load is retried on the next check: the package may be installed meanwhile.
    this.sessions.catch(() => (this.sessions = undefined));
    return this.sessions;
  }
}
