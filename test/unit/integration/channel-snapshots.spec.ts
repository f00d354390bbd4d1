import { describe, expect, it } from '@jest/globals';
import { ChannelIntervals, channelStatus, type ChannelInterval } from '../../../libs/pubsub/src/integration/channel-snapshots.js';
import { zeroStats } from '../../support/channel-stats.js';

const stats = zeroStats;

describe('ChannelIntervals', () => {
  it('turns cumulative stats into per-interval deltas with the elapsed time', () => {
    const clock = { now: 1_000 };
    const intervals = new ChannelIntervals(() => clock.now);
    clock.now = 1_250;
    const [first] = intervals.next([stats({ published: 10, dropped: 2, handlerErrors: 1, failedPublications: 3, lost: 1 })]);
    expect(first).toMatchObject({
      channel: 'events',
      published: 10,
      dropped: 2,
      handlerErrors: 1,
      failedPublications: 3,
      lost: 1,
      durationMs: 250,
    });
    clock.now = 1_400;
    const [second] = intervals.next([
      stats({ published: 15, dropped: 2, handlerErrors: 4, failedPublications: 3, lost: 1, mailboxDepth: 7 }),
    ]);
    expect(second).toMatchObject({ published: 5, dropped: 0, handlerErrors: 3, failedPublications: 0, lost: 0, durationMs: 150 });
    expect(second.stats.mailboxDepth).toBe(7);
  });
});

describe('channelStatus', () => {
  const interval = (over: Partial<ChannelInterval>, depth = 0): ChannelInterval => ({
    channel: 'events',
    stats: stats({ mailboxDepth: depth }),
    published: 0,
    handlerErrors: 0,
    dropped: 0,
    failedPublications: 0,
    lost: 0,
    durationMs: 100,
    ...over,
  });
  it('drops or losses: unhealthy; errors, refusals or a deep backlog: degraded; otherwise healthy', () => {
    expect(channelStatus(interval({}))).toBe('healthy');
    expect(channelStatus(interval({ published: 1_000_000 }))).toBe('healthy');
    expect(channelStatus(interval({ dropped: 1 }))).toBe('unhealthy');
    expect(channelStatus(interval({ lost: 1, handlerErrors: 5 }))).toBe('unhealthy');
    expect(channelStatus(interval({ handlerErrors: 1 }))).toBe('degraded');
    expect(channelStatus(interval({ failedPublications: 1 }))).toBe('degraded');
    expect(channelStatus(interval({}, 1_001))).toBe('degraded');
  });
});
