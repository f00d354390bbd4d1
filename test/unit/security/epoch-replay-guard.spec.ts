import { describe, expect, it } from '@jest/globals';
import { EpochReplayGuard, type FrameStamp } from '../../../libs/pubsub/src/security/replay-guard.js';

const STARTED = 1_000_000;
const WINDOW = 300_000;

const stamp = (frame: number, overrides: Partial<FrameStamp> = {}): FrameStamp => ({
  node: 'node-a',
  epoch: 'e1',
  epochStartedAt: STARTED - 5_000,
  frame,
  timestamp: STARTED + frame,
  final: false,
  ...overrides,
});

describe('EpochReplayGuard: replay protection by sender epoch and frame high-water mark', () => {
  it('accepts each frame number of an epoch once, in order; at or below the high-water mark is a replay', () => {
    const guard = new EpochReplayGuard(STARTED, WINDOW);
    expect(guard.accept(stamp(1), STARTED)).toBe(true);
    expect(guard.accept(stamp(2), STARTED)).toBe(true);
    expect(guard.accept(stamp(5), STARTED)).toBe(true); // frames 3-4 never arrived: no reason to refuse 5
    expect(guard.accept(stamp(5), STARTED)).toBe(false);
    expect(guard.accept(stamp(4), STARTED)).toBe(false);
    expect(guard.accept(stamp(1), STARTED)).toBe(false);
    expect(guard.accept(stamp(6), STARTED)).toBe(true);
  });

  it('refuses every frame stamped before this receiver started: a restarted receiver cannot be replayed to', () => {
    const guard = new EpochReplayGuard(STARTED, WINDOW);
    expect(guard.accept(stamp(1, { timestamp: STARTED - 1 }), STARTED)).toBe(false);
    expect(guard.accept(stamp(2, { timestamp: STARTED }), STARTED)).toBe(true);
  });

  it('after a goodbye, nothing of that epoch comes back; a newer epoch of the node does', () => {
    const guard = new EpochReplayGuard(STARTED, WINDOW);
    expect(guard.accept(stamp(1), STARTED)).toBe(true);
    expect(guard.accept(stamp(2, { final: true }), STARTED)).toBe(true);
    expect(guard.accept(stamp(3), STARTED)).toBe(false);
    expect(guard.accept(stamp(1, { epoch: 'e2', epochStartedAt: STARTED + 10 }), STARTED)).toBe(true);
  });

  it('an epoch older than the sender’s current one cannot come back', () => {
    const guard = new EpochReplayGuard(STARTED, WINDOW);
    expect(guard.accept(stamp(9, { epoch: 'new', epochStartedAt: STARTED - 1_000 }), STARTED)).toBe(true);
    expect(guard.accept(stamp(10, { epoch: 'old', epochStartedAt: STARTED - 2_000 }), STARTED)).toBe(false);
    expect(guard.accept(stamp(10, { epoch: 'new', epochStartedAt: STARTED - 1_000 }), STARTED)).toBe(true);
  });

  it('holds at any rate: after 250,000 frames the first one is still refused, in memory of one entry per sender', () => {
    const guard = new EpochReplayGuard(STARTED, WINDOW);
    let accepted = 0;
    for (let frame = 1; frame <= 250_000; frame++) if (guard.accept(stamp(frame, { timestamp: STARTED + 1 }), STARTED + 1)) accepted++;
    expect(accepted).toBe(250_000);
    expect(guard.accept(stamp(1, { timestamp: STARTED + 1 }), STARTED + 2)).toBe(false);
    expect(guard.size).toBe(1);
  });

  it('forgets senders silent for longer than the age window (their frames are expired anyway), and caps the rest', () => {
    const guard = new EpochReplayGuard(STARTED, WINDOW, 100);
    for (let i = 0; i < 50; i++) guard.accept(stamp(1, { node: `old-${i}` }), STARTED);
    const later = STARTED + WINDOW + 10;
    guard.accept(stamp(1, { node: 'fresh', timestamp: later }), later);
    expect(guard.size).toBe(1);
    for (let i = 0; i < 1_000; i++) guard.accept(stamp(1, { node: `n-${i}`, timestamp: later }), later);
    expect(guard.size).toBe(100);
  });

  it('makes room by forgetting the sender heard from longest ago, whoever sent the frames in between', () => {
    const guard = new EpochReplayGuard(STARTED, WINDOW, 2);
    expect(guard.accept(stamp(1, { node: 'a' }), STARTED)).toBe(true);
    expect(guard.accept(stamp(1, { node: 'b' }), STARTED)).toBe(true);
    expect(guard.accept(stamp(2, { node: 'b' }), STARTED)).toBe(true);
    expect(guard.accept(stamp(1, { node: 'b', epoch: 'e2', epochStartedAt: STARTED }), STARTED)).toBe(true); // b restarted
    expect(guard.accept(stamp(2, { node: 'a' }), STARTED)).toBe(true); // a is now the latest, b the longest silent
    expect(guard.accept(stamp(1, { node: 'c' }), STARTED)).toBe(true); // room for c: b is forgotten
    expect(guard.size).toBe(2);
    expect(guard.accept(stamp(2, { node: 'a' }), STARTED)).toBe(false); // a is still remembered
    expect(guard.accept(stamp(1, { node: 'c' }), STARTED)).toBe(false);
  });
});
