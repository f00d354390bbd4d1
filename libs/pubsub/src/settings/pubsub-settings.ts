// The resolved settings of one application: what every layer reads, and nothing of how it was resolved
// (module/pubsub-settings.ts turns options and environment into these).
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import type { ChannelName } from '../vocabulary/channel-names.js';
import type { OverflowPolicy } from '../vocabulary/message.js';
import type { MetricsSettings } from './metrics-settings.js';
import { defaultNodeName } from './default-node-name.js';
import { MAX_TIMER_MS } from '../delivery/drain-timeout.js';
import { DEFAULT_RETENTION_POLICY } from '../durable/retention-defaults.js';

/** setInterval's limit: the start-up settings and the runtime setters share it. */
export const MAX_INTERVAL_MS = MAX_TIMER_MS;
/** Redis cuts a subscriber whose output buffer passes 32 MB: messages stay well below that. */
export const MAX_MESSAGE_BYTES_LIMIT = 16 * 1024 * 1024;
/** The durable_lag alert's threshold when the options name none. */
export const DEFAULT_DURABLE_LAG_MS = 60_000;

export class RetentionSettings {
  @IsInt() @Min(1) maxMessages = DEFAULT_RETENTION_POLICY.maxMessages;
  @IsInt() @Min(1) maxAgeMs = DEFAULT_RETENTION_POLICY.maxAgeMs;
}

export class ChannelSettings {
  @IsInt() @Min(1) mailboxSize = 10_000;
  @IsIn(['drop-oldest', 'drop-newest']) overflow: OverflowPolicy = 'drop-oldest';
  /** Unset: the channel's default (audit, alerts and security keep DEFAULT_RETENTION_POLICY, the others nothing). */
  @IsOptional() @ValidateNested() retention?: RetentionSettings;
}

export class AlertingSettings {
  @IsInt() @Min(1) windowMs = 60_000;
  @IsInt() @Min(1) failedPublications = 10;
  @IsInt() @Min(1) handlerErrors = 10;
  @IsInt() @Min(1) dropped = 1;
  @IsInt() @Min(1) messagesPerSecond = 10_000;
  @IsInt() @Min(1) @Max(MAX_INTERVAL_MS) durableLagMs = DEFAULT_DURABLE_LAG_MS;
}

export class TransportSettings {
  @IsIn(['memory', 'redis']) type: 'memory' | 'redis' = 'memory';
  @IsOptional() @IsString() @IsNotEmpty() url?: string;
  @IsString() @IsNotEmpty() prefix = 'gater:pubsub';
  @IsBoolean() allowUnsigned = false;
}

/** Options resolved against the environment and defaults, validated once at start-up. */
export class PubSubSettings {
  @IsString() @IsNotEmpty() nodeName: string = defaultNodeName();
  @IsBoolean() integration = true;
  @IsInt() @Min(1) @Max(MAX_INTERVAL_MS) healthBroadcastInterval = 30_000;
  @IsInt() @Min(1) @Max(MAX_INTERVAL_MS) metricsBroadcastInterval = 60_000;
  @IsString({ each: true }) secretKeys: string[] = [];
  @ValidateNested() @Type(() => TransportSettings) transport = new TransportSettings();
  @IsInt() @Min(1) @Max(MAX_MESSAGE_BYTES_LIMIT) maxMessageBytes = 1_048_576;
  @IsInt() @Min(1) messageMaxAgeMs = 300_000;
  @IsInt() @Min(1) @Max(MAX_INTERVAL_MS) heartbeatIntervalMs = 5_000;
  @IsInt() @Min(1) nodeTimeoutMs = 15_000;
  @IsInt() @Min(1) maxNodes = 1_000;
  @ValidateNested() @Type(() => AlertingSettings) alerting = new AlertingSettings();
  // Validated per channel in resolvePubSubSettings: class-validator does not descend into records.
  channels: Record<ChannelName, ChannelSettings>;
  // Checked in resolveMetricsSettings: the registry is the user's object, never copied or validated here.
  metrics: MetricsSettings | undefined;
  @IsOptional() @IsBoolean() tracing?: boolean;
  // Checked in resolveEventEmitterChannels; empty: no bridge.
  eventEmitterChannels: ChannelName[] = [];
}
