import type { Channel } from './channel.js';
import type { ChannelSet } from './channel-set.js';
import type { ChannelName } from './channel-names.js';
import type { ChannelStats } from './channel.types.js';
import { isChannelName } from './channel-names.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import { localTransportStats, type TransportStatsView } from './transport-stats-view.js';

/** Live node names, this one included; the transport knows them. */
export type NodeDirectory = () => string[];

/** The transport's counters as the public view; without a transport, a single in-memory node. */
export type TransportStatsSource = () => TransportStatsView;

/** The application's channels as one injectable: lookup, stats, draining and cluster membership. */
export class PubSubManager {
  constructor(
    private readonly set: ChannelSet,
    private readonly directory: NodeDirectory = () => [set.nodeName],
    private readonly transport: TransportStatsSource = localTransportStats,
  ) {}

  get nodeName(): string {
    return this.set.nodeName;
  }

  channel(name: ChannelName): Channel {
    if (!isChannelName(name)) throw new PubSubError('unknown_channel', ERRORS.unknownChannel(name));
    return this.set.channel(name);
  }

  channels(): Channel[] {
    return this.set.channels();
  }

  stats(): ChannelStats[] {
    return this.set.stats();
  }

  drain(timeoutMs?: number): Promise<boolean> {
    return this.set.drain(timeoutMs);
  }

  nodes(): string[] {
    return this.directory();
  }

  /** What crosses the wire: counters of the transport, rejections by reason (memory transport: zeros). */
  transportStats(): TransportStatsView {
    return this.transport();
  }
}
