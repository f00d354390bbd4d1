import { validateSync, type ValidationError } from 'class-validator';
import { CHANNEL_NAMES, type ChannelName } from '../channels/channel-names.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import { resolveMetricsSettings } from '../observability/metrics-settings.js';
import { AlertingSettings, ChannelSettings, PubSubSettings, RetentionSettings, TransportSettings } from '../settings/pubsub-settings.js';
import { resolveEventEmitterChannels } from './event-emitter-bridge.js';
import type { PubSubModuleOptions, TransportOptions } from './pubsub-options.interface.js';

const REDIS_PROTOCOLS: ReadonlySet<string> = new Set(['redis:', 'rediss:']);

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
