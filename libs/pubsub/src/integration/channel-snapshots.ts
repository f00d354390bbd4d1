import type { ChannelName } from '../channels/channel-names.js';
import type { ChannelStats } from '../channels/channel.types.js';
import type { HealthStatus } from '../messages/health.messages.js';

export interface ChannelInterval {
  channel: ChannelName;
  stats: ChannelStats;
  published: number;
  handlerErrors: number;
  dropped: number;
  failedPublications: number;
  lost: number;
  durationMs: number;
}

type Counted = 'published' | 'handlerErrors' | 'dropped' | 'failedPublications' | 'lost';
const COUNTED: Counted[] = ['published', 'handlerErrors', 'dropped', 'failedPublications', 'lost'];

/** Turns cumulative channel stats into per-interval deltas; each broadcaster keeps its own. */
export class ChannelIntervals {
  private previous = new Map<ChannelName, ChannelStats>();
  private previousAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.previousAt = now();
  }

  next(all: ChannelStats[]): ChannelInterval[] {
    const now = this.now();
    const durationMs = Math.max(0, now - this.previousAt);
    const intervals = all.map((stats) => {
      const before = this.previous.get(stats.channel);
      const interval = { channel: stats.channel, stats, durationMs } as ChannelInterval;
      for (const key of COUNTED) interval[key] = stats[key] - (before?.[key] ?? 0);
      return interval;
    });
    this.previous = new Map(all.map((stats) => [stats.channel, stats]));
    this.previousAt = now;
    return intervals;
  }
}

/** Drops or losses make a channel unhealthy; errors, refusals or a deep backlog make it degraded. */
export function channelStatus(interval: ChannelInterval): HealthStatus {
  if (interval.dropped > 0 || interval.lost > 0) return 'unhealthy';
  if (interval.handlerErrors > 0 || interval.failedPublications > 0 || interval.stats.mailboxDepth > 1_000) return 'degraded';
  return 'healthy';
}
