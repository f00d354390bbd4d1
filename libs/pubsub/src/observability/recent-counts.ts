import type { ChannelName } from '../channels/channel-names.js';
import type { ChannelStats } from '../channels/channel.types.js';

export interface RecentLosses {
  dropped: number;
  lost: number;
}

interface Sample {
  at: number;
  counts: Map<ChannelName, RecentLosses>;
}

/** A baseline is kept at most this often, which bounds the samples to about this many per window. */
const SAMPLES_PER_WINDOW = 10;

/**
 * Drops and losses per channel within the last `windowMs`, from cumulative stats read whenever someone asks
 * (a health probe): the difference from the newest sample at least a window old. Bounded however often it is
 * asked; accurate to a tenth of the window.
 */
export class RecentCounts {
  private readonly samples: Sample[];

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    // Counting starts at zero when the channels are created.
    this.samples = [{ at: now(), counts: new Map() }];
  }

  read(stats: readonly ChannelStats[]): Map<ChannelName, RecentLosses> {
    const now = this.now();
    const counts = new Map(stats.map((s) => [s.channel, { dropped: s.dropped, lost: s.lost }]));
    while (this.samples.length > 1 && this.samples[1].at <= now - this.windowMs) this.samples.shift();
    const baseline = this.samples[0].counts;
    if (now - this.samples[this.samples.length - 1].at >= this.windowMs / SAMPLES_PER_WINDOW) this.samples.push({ at: now, counts });
    const recent = new Map<ChannelName, RecentLosses>();
    for (const [channel, current] of counts) {
      const before = baseline.get(channel);
      recent.set(channel, { dropped: current.dropped - (before?.dropped ?? 0), lost: current.lost - (before?.lost ?? 0) });
    }
    return recent;
  }
}
