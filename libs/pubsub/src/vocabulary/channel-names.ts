/** The ten channels, in the order of the seeds. `events` carries raw domain events; the rest are operational. */
export const CHANNEL_NAMES = [
  'events',
  'system',
  'logging',
  'health',
  'metrics',
  'security',
  'audit',
  'alerts',
  'diagnostics',
  'lifecycle',
] as const;

export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** The Phoenix.PubSub instance names of the original system, kept for people who know it. */
export const CHANNEL_INSTANCES: Readonly<Record<ChannelName, string>> = Object.freeze({
  events: 'ex_esdb_events',
  system: 'ex_esdb_system',
  logging: 'ex_esdb_logging',
  health: 'ex_esdb_health',
  metrics: 'ex_esdb_metrics',
  security: 'ex_esdb_security',
  audit: 'ex_esdb_audit',
  alerts: 'ex_esdb_alerts',
  diagnostics: 'ex_esdb_diagnostics',
  lifecycle: 'ex_esdb_lifecycle',
});

const CHANNEL_NAME_SET: ReadonlySet<string> = new Set(CHANNEL_NAMES);

export function isChannelName(value: unknown): value is ChannelName {
  return typeof value === 'string' && CHANNEL_NAME_SET.has(value);
}
