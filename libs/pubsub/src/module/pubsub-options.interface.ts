import type { ChannelName } from '../channels/channel-names.js';
import type { OverflowPolicy } from '../channels/channel.types.js';
import type { MetricsOptions } from '../observability/metrics-settings.js';

export interface ChannelSettingsOptions {
  mailboxSize?: number;
  overflow?: OverflowPolicy;
  /**
   * What this node keeps for recent(), replay and durable subscriptions; default none, except audit, alerts and
   * security: { maxMessages: 10_000, maxAgeMs: 86_400_000 } (a field left out takes that default).
   */
  retention?: { maxMessages?: number; maxAgeMs?: number };
}

export type TransportOptions =
  | { type: 'memory' }
  | {
      type: 'redis';
      /** redis:// or rediss://; default env PUBSUB_REDIS_URL, then redis://127.0.0.1:6379. */
      url?: string;
      prefix?: string;
      /** Start without secretKeyBase, sending unsigned frames (logged as a warning); default false. */
      allowUnsigned?: boolean;
    };

export interface AlertingOptions {
  /** Default 60_000 ms. */
  windowMs?: number;
  /** Default 10. */
  failedPublications?: number;
  /** Default 10. */
  handlerErrors?: number;
  /** Default 1. */
  dropped?: number;
  /** High volume; default 10_000. */
  messagesPerSecond?: number;
  /** durable_lag: a durable name's oldest pending or unread message older than this (ms); default 60_000. */
  durableLagMs?: number;
}

export interface PubSubModuleOptions {
  /** Default true. */
  isGlobal?: boolean;
  /** Default: unique per process (host and pid). */
  nodeName?: string;
  /** The seeds' pubsub_integration; default true (env PUBSUB_INTEGRATION). */
  integration?: boolean;
  /** ms; default 30_000 (env PUBSUB_HEALTH_BROADCAST_INTERVAL). */
  healthBroadcastInterval?: number;
  /** ms; default 60_000 (env PUBSUB_METRICS_BROADCAST_INTERVAL). */
  metricsBroadcastInterval?: number;
  /** HMAC keys; the first signs, all verify; default env SECRET_KEY_BASE. */
  secretKeyBase?: string | string[];
  channels?: Partial<Record<ChannelName, ChannelSettingsOptions>>;
  /** Default memory (or redis when env PUBSUB_REDIS_URL is set). */
  transport?: TransportOptions;
  /**
   * With a remote transport, a message whose JSON form is larger is refused at publish ('too_large');
   * default 1_048_576 (1 MiB), at most 16 MiB. Set the same value on every node.
   */
  maxMessageBytes?: number;
  /** Signed messages older than this are 'expired'; default 300_000. */
  messageMaxAgeMs?: number;
  /** Cluster membership heartbeat (Redis transport); default 5_000. */
  heartbeatIntervalMs?: number;
  /** A silent node is removed after this; default 15_000. */
  nodeTimeoutMs?: number;
  /** Most nodes the live-node table holds, this one included; signs of life from more are refused. Default 1_000. */
  maxNodes?: number;
  /** Self-monitoring thresholds, counted per channel within windowMs. */
  alerting?: AlertingOptions;
  /** Prometheus metrics through prom-client (optional peer); off unless given. */
  metrics?: MetricsOptions;
  /**
   * Tracing through @opentelemetry/api (optional peer). Default: on when the package is installed and a tracer
   * provider is registered when the application starts; true: on (the package is required); false: off.
   */
  tracing?: boolean;
  /**
   * Re-emits these channels' messages on the application's EventEmitter2 (needs @nestjs/event-emitter and
   * EventEmitterModule.forRoot()), named channel + topic segments joined by the emitter's delimiter.
   */
  eventEmitter?: EventEmitterBridgeOptions;
}

export interface EventEmitterBridgeOptions {
  channels: ChannelName[];
}

/** `PubSubModule.forTest(options)`: everything but the transport (always memory) and the integration layer (off). */
export type PubSubTestOptions = Omit<PubSubModuleOptions, 'transport' | 'integration'>;
