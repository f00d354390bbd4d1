import { describe, expect, it } from '@jest/globals';
import { AlertRules } from '../../../libs/pubsub/src/integration/alert-rules.js';

const THRESHOLDS = { windowMs: 10_000, failedPublications: 3, handlerErrors: 2, dropped: 1, messagesPerSecond: 100 };

describe('AlertRules: windows are bounded whatever subjects arrive', () => {
  it('prunes expired per-subject windows, so invented node names do not accumulate', () => {
    const clock = { now: 1_000_000 };
    const rules = new AlertRules(THRESHOLDS, () => clock.now);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) expect(rules.admit('node_failure', 'system', `fake-${round}-${i}`)).toBe(true);
      clock.now += THRESHOLDS.windowMs;
    }
    rules.admit('node_failure', 'system', 'last');
    expect(rules.windowCount).toBeLessThanOrEqual(10);
  });

  it('caps the subjects of one window: beyond the cap, new subjects share one window (one more alert, then quiet)', () => {
    const rules = new AlertRules(THRESHOLDS, () => 1_000_000);
    const admitted = Array.from({ length: 20_000 }, (_, i) => rules.admit('node_failure', 'system', `fake-${i}`)).filter(Boolean).length;
    expect(rules.windowCount).toBeLessThanOrEqual(1_001);
    expect(admitted).toBe(1_001);
    // Subjects already known keep their own window.
    expect(rules.admit('node_failure', 'system', 'fake-1')).toBe(false);
  });
});
