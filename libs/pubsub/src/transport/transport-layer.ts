import type { ChannelSet } from '../channels/channel-set.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import type { PubSubSettings } from '../module/pubsub-settings.js';

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
  channels: ChannelSet;
  logger: PubSubLogger;
  alert(alert: TransportAlert): void;
}

/**
 * What the runtime needs from a transport: start without failing or hanging when the backend is down,
 * list live nodes, close gracefully. Implementations plug into `channels.hooks.outbound` for sending and
 * call `channel.receive()` for what other nodes publish.
 */
export interface TransportLayer {
  start(): Promise<void>;
  nodes(): string[];
  close(): Promise<void>;
}

/** The default: one node, nothing crosses process boundaries. */
export class LocalOnlyTransport implements TransportLayer {
  constructor(private readonly deps: TransportDependencies) {}

  async start(): Promise<void> {}

  nodes(): string[] {
    return [this.deps.settings.nodeName];
  }

  async close(): Promise<void> {}
}

export function createTransportLayer(deps: TransportDependencies): TransportLayer {
  return new LocalOnlyTransport(deps);
}
