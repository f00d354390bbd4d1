import type { ChannelHooks } from '../channels/channel-context.js';
import type { ChannelSet } from '../channels/channel-set.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import type { DurableBackend } from '../durable/durable-backend.js';
import type { PubSubSecurity } from '../security/pubsub-security.js';
import type { PubSubSettings } from '../settings/pubsub-settings.js';
import type { ClusterTuning } from './cluster-tuning.js';
import type { MemoryHub } from './memory-hub.js';
import type { TransportStats } from './transport-stats.js';

/** Alerts the transport raises through the self-monitoring layer (rule names of the API's alert rules). */
export interface TransportAlert {
  rule: 'transport_down' | 'transport_up' | 'node_failure';
  severity: 'info' | 'warning' | 'critical';
  title: string;
  /** Goes into the alert's metadata next to rule/channel/count/threshold. */
  details?: Record<string, unknown>;
}

export interface TransportDependencies {
  settings: PubSubSettings;
  logger: PubSubLogger;
  /** Signs and validates what crosses the wire; built from settings.secretKeys/messageMaxAgeMs when absent. */
  security?: PubSubSecurity;
  /**
   * With the memory transport, joins this in-process hub so several ChannelSets act as separate nodes
   * (tests, conformance). Without it the memory transport is a single node.
   */
  memoryHub?: MemoryHub;
  /** Batching, queue bounds and timings of the cluster transport (defaults suit most applications). */
  tuning?: Partial<ClusterTuning>;
}

/**
 * What the runtime needs from a transport: start without failing or hanging when the backend is down,
 * list live nodes, close gracefully. It is built before the channels, which take its `transmit` and `durable`
 * at construction; its bind step then hands it the channels, whose `channel.receive()` gets what other nodes
 * publish.
 */
export interface TransportLayer {
  /** The channels' way out (ChannelWiring.transmit); undefined for a single node. */
  readonly transmit: ChannelHooks['transmit'];
  /** Where durable subscriptions keep their groups when the transport has a store of its own (Redis Streams). */
  readonly durable: DurableBackend | undefined;
  /** Once, after the channels and the self-monitor exist, before start(). */
  bind(channels: ChannelSet, alert: (alert: TransportAlert) => void): void;
  start(): Promise<void>;
  nodes(): string[];
  stats(): TransportStats;
  close(): Promise<void>;
}
