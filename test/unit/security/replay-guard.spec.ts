import { ReplayGuard } from '../../../libs/pubsub/src/security/replay-guard.js';

const WINDOW = 1_000;

describe('ReplayGuard', () => {
  it('accepts an id once, then refuses it within the window', () => {
    const guard = new ReplayGuard(WINDOW, 10);
    expect(guard.accept('a', 0, 0)).toBe(true);
    expect(guard.accept('a', 0, WINDOW)).toBe(false);
    expect(guard.accept('b', 0, WINDOW)).toBe(true);
  });

  it('forgets ids whose message timestamp has left the window', () => {
    const guard = new ReplayGuard(WINDOW, 10);
    guard.accept('a', 0, 0);
    guard.accept('b', 500, 500);
    expect(guard.accept('c', 1_200, 1_200)).toBe(true);
    expect(guard.size).toBe(2); // 'a' (timestamp 0) went; 'b' and 'c' remain
    expect(guard.accept('b', 500, 1_200)).toBe(false);
  });

  it('keeps a future-dated id until its own timestamp leaves the window', () => {
    const guard = new ReplayGuard(WINDOW, 10);
    guard.accept('early', 5_000, 4_500);
    expect(guard.accept('early', 5_000, 5_900)).toBe(false);
    expect(guard.accept('early', 5_000, 6_001)).toBe(true);
  });

  it('accepts again an id whose stale entry sat behind a younger one', () => {
    const guard = new ReplayGuard(WINDOW, 10);
    guard.accept('young', 2_000, 2_000);
    guard.accept('old', 1_100, 2_000);
    expect(guard.accept('old', 1_100, 2_500)).toBe(true);
  });

  it('never holds more than its capacity, dropping the oldest first', () => {
    const guard = new ReplayGuard(60_000, 3);
    for (let index = 0; index < 1_000; index++) {
      guard.accept(`id-${index}`, 0, 0);
      expect(guard.size).toBeLessThanOrEqual(3);
    }
    expect(guard.size).toBe(3);
    expect(guard.accept('id-999', 0, 0)).toBe(false);
    expect(guard.accept('id-0', 0, 0)).toBe(true);
  });
});
