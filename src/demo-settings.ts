import type { LogLevel } from '@nestjs/common';

/**
 * The demo's own settings, from the environment. The broadcast intervals default to a demo pace (5 s) so the
 * dashboard moves at once; when PUBSUB_HEALTH_BROADCAST_INTERVAL / PUBSUB_METRICS_BROADCAST_INTERVAL are set,
 * the library reads (and validates) them itself, because options would win over the environment.
 */
export const DEMO_BROADCAST_INTERVAL_MS = 5_000;

export function demoBroadcastIntervals(env: NodeJS.ProcessEnv = process.env): {
  healthBroadcastInterval?: number;
  metricsBroadcastInterval?: number;
} {
  return {
    healthBroadcastInterval: env.PUBSUB_HEALTH_BROADCAST_INTERVAL === undefined ? DEMO_BROADCAST_INTERVAL_MS : undefined,
    metricsBroadcastInterval: env.PUBSUB_METRICS_BROADCAST_INTERVAL === undefined ? DEMO_BROADCAST_INTERVAL_MS : undefined,
  };
}

/** DEMO_NODE_NAME names this instance; by default the library's host-pid name, unique per process. */
export function demoNodeName(env: NodeJS.ProcessEnv = process.env): { nodeName?: string } {
  return env.DEMO_NODE_NAME === undefined || env.DEMO_NODE_NAME === '' ? {} : { nodeName: env.DEMO_NODE_NAME };
}

export function demoPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PORT ?? '3000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) throw new Error(`PORT must be a port number from 0 to 65535, got '${raw}'`);
  return port;
}

const QUIET: LogLevel[] = ['fatal', 'error', 'warn', 'log'];
const LEVELS: Record<string, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: QUIET,
  debug: [...QUIET, 'debug'],
  verbose: [...QUIET, 'debug', 'verbose'],
};

/**
 * Quiet by default: the library's own work (broadcasts, alerts, membership) at `log`; the simulated traffic
 * of the consumers at `debug`, shown with DEMO_LOG_LEVEL=debug.
 */
export function demoLogLevels(env: NodeJS.ProcessEnv = process.env): LogLevel[] {
  const raw = env.DEMO_LOG_LEVEL ?? 'log';
  const levels = LEVELS[raw];
  if (levels === undefined) throw new Error(`DEMO_LOG_LEVEL must be one of ${Object.keys(LEVELS).join(', ')}, got '${raw}'`);
  return levels;
}
