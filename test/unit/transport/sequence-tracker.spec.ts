import { describe, expect, it } from '@jest/globals';
import type { ChannelName } from '../../../libs/pubsub/src/channels/channel-names.js';
import { SequenceTracker } from '../../../libs/pubsub/src/transport/sequence-tracker.js';

function tracker(start = 0) {
  let now = start;
  const sequences = new SequenceTracker({ slack: 1_000, perMs: 10 }, () => now);
  const take = (seq: number, channel: ChannelName = 'events') =>
    sequences.plausible('node-a', 'e1', [[channel, seq]]) ? sequences.check('node-a', 'e1', channel, seq) : 'implausible';
  return { sequences, take, advance: (ms: number) => (now += ms) };
}

describe('SequenceTracker: per-node sequences that unauthenticated input cannot poison', () => {
  it('delivers in order, counts gaps, drops copies', () => {
    const { take } = tracker();
    expect(take(1)).toEqual({ deliver: true, gap: 0 });
    expect(take(2)).toEqual({ deliver: true, gap: 0 });
    expect(take(5)).toEqual({ deliver: true, gap: 2 });
    expect(take(5)).toEqual({ deliver: false });
    expect(take(2)).toEqual({ deliver: false });
  });

  it('refuses a jump larger than the sender could have made, and changes nothing: later genuine numbers still count', () => {
    const { take } = tracker();
    take(1);
    expect(take(1e15)).toBe('implausible');
    for (let seq = 2; seq <= 1_001; seq++) expect(take(seq)).toEqual({ deliver: true, gap: 0 });
  });

  it('a believable forged jump costs at most the one number it took: the genuine messages below it are late, not copies', () => {
    const { take } = tracker();
    take(1);
    expect(take(500)).toEqual({ deliver: true, gap: 498 }); // forged
    const verdicts = Array.from({ length: 600 }, (_, i) => take(i + 2));
    const dropped = verdicts.filter((v) => v !== 'implausible' && !v.deliver);
    expect(dropped).toHaveLength(1);
    expect(verdicts.filter((v) => v !== 'implausible' && v.deliver)).toHaveLength(599);
  });

  it('believes a large gap after a long silence (a receiver cut off for a while), in proportion to it', () => {
    const { take, advance } = tracker();
    take(1);
    advance(10_000);
    expect(take(90_000)).toEqual({ deliver: true, gap: 89_998 });
    expect(take(200_000)).toBe('implausible');
  });

  it('refuses an announcement of an implausible count (one forged heartbeat cannot set lost to 1.8e16)', () => {
    const { sequences, take } = tracker();
    take(3);
    const forged = new Map<ChannelName, number>([['events', 1.8e16]]);
    expect(sequences.plausible('node-a', 'e1', forged)).toBe(false);
    expect(sequences.plausible('node-a', 'e1', new Map([['events', 10]]))).toBe(true);
    expect(sequences.announced('node-a', 'e1', new Map([['events', 10]]))).toEqual([['events', 7]]);
    expect(take(4)).toEqual({ deliver: true, gap: 0, late: true });
  });

  it('a number further below the last one than any resend reaches shows the last one was forged: it becomes the baseline', () => {
    const { sequences, take } = tracker();
    expect(sequences.check('node-a', 'e1', 'events', 1e12)).toEqual({ deliver: true, gap: 0 }); // forged first sighting
    expect(take(1)).toEqual({ deliver: true, gap: 0, rebased: true });
    for (let seq = 2; seq <= 100; seq++) expect(take(seq)).toEqual({ deliver: true, gap: 0 });
    expect(take(50)).toEqual({ deliver: false });
  });

  it('a new epoch starts from its own baseline; an unknown node is believed from its first number', () => {
    const { sequences } = tracker();
    expect(sequences.plausible('node-b', 'x', [['events', 1e12]])).toBe(true);
    expect(sequences.check('node-b', 'x', 'events', 1e12)).toEqual({ deliver: true, gap: 0 });
    expect(sequences.check('node-b', 'y', 'events', 1)).toEqual({ deliver: true, gap: 0 });
  });
});
