import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { CHANNEL_NAMES, type ChannelName } from '../channels/channel-names.js';
import type { OverflowPolicy } from '../channels/channel.types.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import { resolveMetricsSettings } from '../observability/metrics-settings.js';
import type { MetricsSettings } from '../observability/metrics.js';
import { defaultNodeName } from './default-node-name.js';
import { resolveEventEmitterChannels } from './event-emitter-bridge.js';
import type { PubSubModuleOptions, TransportOptions } from './pubsub-options.interface.js';
import { MAX_TIMER_MS } from '../delivery/drain-timeout.js';
import { DEFAULT_RETENTION_POLICY } from '../durable/retention-defaults.js';
import { DEFAULT_DURABLE_LAG_MS } from '../integration/alert-rules.js';

/** setInterval's limit: the start-up settings and the runtime setters share it. */
export const MAX_INTERVAL_MS = MAX_TIMER_MS;
/** Redis cuts a subscriber whose output buffer passes 32 MB: messages stay well below that. */
export const MAX_MESSAGE_BYTES_LIMIT = 16 * 1024 * 1024;
const REDIS_PROTOCOLS: ReadonlySet<string> = new Set(['redis:', 'rediss:']);

class RetentionSettings {
  @IsInt() @Min(1) maxMessages = DEFAULT_RETENTION_POLICY.maxMessages;
  @IsInt() @Min(1) maxAgeMs = DEFAULT_RETENTION_POLICY.maxAgeMs;
}

class ChannelSettings {
  @IsInt() @Min(1) mailboxSize = 10_000;
  @IsIn(['drop-oldest', 'drop-newest']) overflow: OverflowPolicy = 'drop-oldest';
  /** Unset: the channel's default (audit, alerts and security keep DEFAULT_RETENTION_POLICY, the others nothing). */
  @IsOptional() @ValidateNested() retention?: RetentionSettings;
}

class AlertingSettings {
  @IsInt() @Min(1) windowMs = 60_000;
  @IsInt() @Min(1) failedPublications = 10;
  @IsInt() @Min(1) handlerErrors = 10;
  @IsInt() @Min(1) dropped = 1;
  @IsInt() @Min(1) messagesPerSecond = 10_000;
  @IsInt() @Min(1) @Max(MAX_INTERVAL_MS) durableLagMs = DEFAULT_DURABLE_LAG_MS;
}

class TransportSettings {
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

type Env = Record<string, string | undefined>;

// Which environment variable feeds which setting, so an error can name what the user actually wrote.
const ENV_SOURCES: Partial<Record<string, string>> = {
  integration: 'PUBSUB_INTEGRATION',
  healthBroadcastInterval: 'PUBSUB_HEALTH_BROADCAST_INTERVAL',
  metricsBroadcastInterval: 'PUBSUB_METRICS_BROADCAST_INTERVAL',
  secretKeys: 'SECRET_KEY_BASE',
  'transport.url': 'PUBSUB_REDIS_URL',
};

/** Options win over environment variables, which win over defaults. Throws an error naming the bad setting. */
export function resolvePubSubSettings(options: PubSubModuleOptions = {}, env: Env = process.env): PubSubSettings {
  if (options === null || typeof options !== 'object')
    throw new PubSubError('invalid_option', ERRORS.invalidOption('options', 'must be an object'));
  const settings = new PubSubSettings();
  const fromEnv = new Set<string>();
  const pick = <T>(key: string, option: T | undefined, parse: (raw: string) => T): T | undefined => {
    if (option !== undefined) return option;
    const variable = ENV_SOURCES[key]!;
    const raw = env[variable];
    if (raw === undefined || raw === '') return undefined;
    fromEnv.add(key);
    return parse(raw);
  };

  if (options.nodeName !== undefined) settings.nodeName = options.nodeName;
  settings.integration = pick('integration', options.integration, parseBoolean('PUBSUB_INTEGRATION')) ?? settings.integration;
  settings.healthBroadcastInterval =
    pick('healthBroadcastInterval', options.healthBroadcastInterval, parseInteger('PUBSUB_HEALTH_BROADCAST_INTERVAL')) ??
    settings.healthBroadcastInterval;
  settings.metricsBroadcastInterval =
    pick('metricsBroadcastInterval', options.metricsBroadcastInterval, parseInteger('PUBSUB_METRICS_BROADCAST_INTERVAL')) ??
    settings.metricsBroadcastInterval;
  const keys = pick<string | string[]>('secretKeys', options.secretKeyBase, (raw) => raw);
  if (keys !== undefined) settings.secretKeys = (Array.isArray(keys) ? keys : [keys]) as string[];
  if (!Array.isArray(settings.secretKeys))
    throw new PubSubError('invalid_option', ERRORS.invalidOption('secretKeyBase', 'must be a string or an array of strings'));
  settings.secretKeys = settings.secretKeys.filter((key) => key !== '');

  settings.transport = Object.assign(new TransportSettings(), resolveTransport(options.transport, env, fromEnv));
  if (options.maxMessageBytes !== undefined) settings.maxMessageBytes = options.maxMessageBytes;
  if (options.messageMaxAgeMs !== undefined) settings.messageMaxAgeMs = options.messageMaxAgeMs;
  if (options.heartbeatIntervalMs !== undefined) settings.heartbeatIntervalMs = options.heartbeatIntervalMs;
  if (options.nodeTimeoutMs !== undefined) settings.nodeTimeoutMs = options.nodeTimeoutMs;
  if (options.maxNodes !== undefined) settings.maxNodes = options.maxNodes;
  settings.alerting = Object.assign(new AlertingSettings(), definedOnly(options.alerting));
  settings.channels = resolveChannels(options.channels);
  settings.eventEmitterChannels = resolveEventEmitterChannels(options.eventEmitter);
  settings.metrics = resolveMetricsSettings(options.metrics);
  settings.tracing = options.tracing;

  const problems = [describeErrors(validateSync(settings, { forbidUnknownValues: false }), fromEnv)];
  for (const name of CHANNEL_NAMES) {
    problems.push(describeErrors(validateSync(settings.channels[name], { forbidUnknownValues: false }), fromEnv, `channels.${name}`));
  }
  const problem = problems.filter((text) => text !== '').join('\n');
  if (problem !== '') throw new PubSubError('invalid_option', problem);
  const url = settings.transport.url;
  if (settings.transport.type === 'redis' && url !== undefined && !isRedisUrl(url)) {
    throw new PubSubError(
      'invalid_option',
      ERRORS.invalidRedisUrl(fromEnv.has('transport.url') ? 'PUBSUB_REDIS_URL' : 'transport.url', url),
    );
  }
  if (settings.nodeTimeoutMs <= settings.heartbeatIntervalMs) {
    throw new PubSubError(
      'invalid_option',
      ERRORS.invalidOption('nodeTimeoutMs', `must be greater than heartbeatIntervalMs (${settings.heartbeatIntervalMs})`),
    );
  }
  return settings;
}

function resolveTransport(option: TransportOptions | undefined, env: Env, fromEnv: Set<string>): Partial<TransportSettings> {
  if (option !== undefined) {
    if (option === null || typeof option !== 'object')
      throw new PubSubError(
        'invalid_option',
        ERRORS.invalidOption('transport', "must be { type: 'memory' } or { type: 'redis', url?, prefix?, allowUnsigned? }"),
      );
    const given = definedOnly(option as Partial<TransportSettings>);
    // `{ type: 'redis' }` without a url still honours the environment before ioredis's localhost default.
    if (given.type === 'redis' && given.url === undefined && env.PUBSUB_REDIS_URL) {
      fromEnv.add('transport.url');
      return { ...given, url: env.PUBSUB_REDIS_URL };
    }
    return given;
  }
  const url = env.PUBSUB_REDIS_URL;
  if (url === undefined || url === '') return { type: 'memory' };
  fromEnv.add('transport.url');
  return { type: 'redis', url };
}

function isRedisUrl(url: unknown): boolean {
  if (typeof url !== 'string') return true; // the type check above reports it
  try {
    return REDIS_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

function resolveChannels(option: PubSubModuleOptions['channels']): Record<ChannelName, ChannelSettings> {
  if (option !== undefined && (option === null || typeof option !== 'object'))
    throw new PubSubError('invalid_option', ERRORS.invalidOption('channels', 'must be an object keyed by channel name'));
  for (const key of Object.keys(option ?? {})) {
    if (!(CHANNEL_NAMES as readonly string[]).includes(key))
      throw new PubSubError(
        'invalid_option',
        ERRORS.invalidOption(`channels.${key}`, `is not a channel; channels are ${CHANNEL_NAMES.join(', ')}`),
      );
  }
  const channels = {} as Record<ChannelName, ChannelSettings>;
  for (const name of CHANNEL_NAMES) {
    const { retention, ...rest } = definedOnly(option?.[name]);
    channels[name] = Object.assign(new ChannelSettings(), rest);
    if (retention === undefined) continue;
    if (retention === null || typeof retention !== 'object' || Array.isArray(retention)) {
      throw new PubSubError(
        'invalid_option',
        ERRORS.invalidOption(`channels.${name}.retention`, 'must be an object such as { maxMessages: 10_000, maxAgeMs: 86_400_000 }'),
      );
    }
    channels[name].retention = Object.assign(new RetentionSettings(), definedOnly(retention));
  }
  return channels;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function parseBoolean(variable: string) {
  return (raw: string): boolean => {
    const normalised = raw.trim().toLowerCase();
    if (normalised === 'true' || normalised === '1') return true;
    if (normalised === 'false' || normalised === '0') return false;
    throw new PubSubError('invalid_option', ERRORS.invalidOption(variable, `must be true or false, got '${raw}'`));
  };
}

function parseInteger(variable: string) {
  return (raw: string): number => {
    if (!/^\s*\d+\s*$/.test(raw))
      throw new PubSubError('invalid_option', ERRORS.invalidOption(variable, `must be a whole number of milliseconds, got '${raw}'`));
    return Number(raw);
  };
}

const OPTION_NAMES: Record<string, string> = { secretKeys: 'secretKeyBase' };

function describeErrors(errors: ValidationError[], fromEnv: Set<string>, parent = ''): string {
  const lines: string[] = [];
  for (const error of errors) {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    if (error.constraints) {
      const name = fromEnv.has(path) ? ENV_SOURCES[path]! : (OPTION_NAMES[path] ?? path);
      lines.push(
        ERRORS.invalidOption(name, `is invalid (got ${JSON.stringify(error.value)}): ${Object.values(error.constraints).join('; ')}`),
      );
    }
    if (error.children?.length) lines.push(describeErrors(error.children, fromEnv, path));
  }
  return lines.join('\n');
}
