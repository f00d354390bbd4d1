import type { ChannelStats } from '../../../libs/pubsub/src/channels/channel.types.js';
import { RecentCounts } from '../../../libs/pubsub/src/observability/recent-counts.js';
import { zeroStats } from '../../support/channel-stats.js';

const stats = (dropped: number, lost: number): ChannelStats[] => [zeroStats({ dropped, lost })];

describe('RecentCounts', () => {
  it('counts drops and losses within the window only', () => {
    let now = 0;
    const recent = new RecentCounts(60_000, () => now);
    expect(recent.read(stats(3, 1)).get('events')).toEqual({ dropped: 3, lost: 1 });
    now = 30_000;
    expect(recent.read(stats(5, 1)).get('events')).toEqual({ dropped: 5, lost: 1 });
    now = 95_000; // the 30 s sample is the newest one at least a window old: it is the baseline
    expect(recent.read(stats(6, 1)).get('events')).toEqual({ dropped: 1, lost: 0 });
    now = 200_000;
    expect(recent.read(stats(6, 1)).get('events')).toEqual({ dropped: 0, lost: 0 });
  });

  it('keeps a bounded number of samples however often it is asked', () => {
    let now = 0;
    const recent = new RecentCounts(1_000, () => now);
    for (let i = 0; i < 100_000; i++) {
      now += 1;
      recent.read(stats(i, 0));
    }
    expect((recent as unknown as { samples: unknown[] }).samples.length).toBeLessThanOrEqual(12);
    // Within a tenth of the window of the true figure (1_000 drops in the last 1_000 ms).
    expect(recent.read(stats(100_000, 0)).get('events')!.dropped).toBeGreaterThanOrEqual(1_000);
    expect(recent.read(stats(100_000, 0)).get('events')!.dropped).toBeLessThanOrEqual(1_101);
  });
});
