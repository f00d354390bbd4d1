import { describe, expect, it } from '@jest/globals';
import { AlertRules, type AlertThresholds } from '../../../libs/pubsub/src/integration/alert-rules.js';

const THRESHOLDS: AlertThresholds = { windowMs: 10_000, failedPublications: 3, handlerErrors: 2, dropped: 1, messagesPerSecond: 100 };

function rules(thresholds: Partial<AlertThresholds> = {}) {
  const clock = { now: 1_000_000 };
  return { clock, rules: new AlertRules({ ...THRESHOLDS, ...thresholds }, () => clock.now) };
}

describe('AlertRules', () => {
  it('reports a breach exactly when the count reaches the threshold, then stays quiet for the window', () => {
    const { rules: r } = rules();
    expect(r.observe('events', 'failedPublications', 1)).toBeUndefined();
    expect(r.observe('events', 'failedPublications', 1)).toBeUndefined();
    expect(r.observe('events', 'failedPublications', 1)).toEqual({
      rule: 'failed_publications',
      channel: 'events',
      count: 3,
      threshold: 3,
      severity: 'warning',
    });
    for (let i = 0; i < 50; i++) expect(r.observe('events', 'failedPublications', 1)).toBeUndefined();
  });

  it('maps counters to rules and severities; published feeds high_volume; delivered and lost raise nothing', () => {
    const { rules: r } = rules({ handlerErrors: 1, failedPublications: 1 });
    expect(r.observe('audit', 'handlerErrors', 1)).toMatchObject({
      rule: 'handler_errors',
      channel: 'audit',
      count: 1,
      threshold: 1,
      severity: 'warning',
    });
    expect(r.observe('audit', 'dropped', 1)).toMatchObject({
      rule: 'dropped',
      channel: 'audit',
      count: 1,
      threshold: 1,
      severity: 'critical',
    });
    expect(r.observe('audit', 'failedPublications', 1)).toMatchObject({ rule: 'failed_publications', severity: 'warning' });
    expect(r.observe('audit', 'delivered', 10_000)).toBeUndefined();
    expect(r.observe('audit', 'lost', 10_000)).toBeUndefined();
  });

  it('counts each rule and channel separately', () => {
    const { rules: r } = rules({ handlerErrors: 2 });
    expect(r.observe('events', 'handlerErrors', 1)).toBeUndefined();
    expect(r.observe('metrics', 'handlerErrors', 1)).toBeUndefined();
    expect(r.observe('events', 'failedPublications', 1)).toBeUndefined();
    expect(r.observe('metrics', 'handlerErrors', 1)).toMatchObject({ rule: 'handler_errors', channel: 'metrics', count: 2 });
    expect(r.observe('events', 'handlerErrors', 1)).toMatchObject({ rule: 'handler_errors', channel: 'events', count: 2 });
  });

  it('a breach in one window allows another in the next; counts restart with the window', () => {
    const { rules: r, clock } = rules();
    expect(r.observe('events', 'dropped', 1)).toMatchObject({ count: 1 });
    clock.now += 9_999;
    expect(r.observe('events', 'dropped', 5)).toBeUndefined();
    clock.now += 1;
    expect(r.observe('events', 'dropped', 1)).toMatchObject({ rule: 'dropped', count: 1 });
    clock.now += 10_000;
    expect(r.observe('events', 'failedPublications', 2)).toBeUndefined();
    clock.now += 10_000;
    // The two failures above belong to an expired window.
    expect(r.observe('events', 'failedPublications', 2)).toBeUndefined();
    expect(r.observe('events', 'failedPublications', 1)).toMatchObject({ count: 3 });
  });

  it('an amount larger than one can cross the threshold in a single observation', () => {
    const { rules: r } = rules();
    expect(r.observe('logging', 'failedPublications', 7)).toMatchObject({ rule: 'failed_publications', count: 7, threshold: 3 });
  });

  it('high_volume: messages within one second reaching messagesPerSecond, once per window', () => {
    const { rules: r, clock } = rules();
    for (let i = 1; i < 100; i++) expect(r.observe('events', 'published', 1)).toBeUndefined();
    expect(r.observe('events', 'published', 1)).toEqual({
      rule: 'high_volume',
      channel: 'events',
      count: 100,
      threshold: 100,
      severity: 'warning',
    });
    expect(r.observe('events', 'published', 1_000)).toBeUndefined();
    clock.now += 1_000;
    expect(r.observe('events', 'published', 500)).toBeUndefined();
    clock.now += 10_000;
    expect(r.observe('events', 'published', 100)).toMatchObject({ rule: 'high_volume', count: 100 });
  });

  it('high_volume: a steady rate under the threshold never alerts, however long it lasts', () => {
    const { rules: r, clock } = rules();
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 99; i++) expect(r.observe('events', 'published', 1)).toBeUndefined();
      clock.now += 1_000;
    }
  });

  it('admit: once per rule, channel and window', () => {
    const { rules: r, clock } = rules();
    expect(r.admit('transport_down', 'system')).toBe(true);
    expect(r.admit('transport_down', 'system')).toBe(false);
    expect(r.admit('node_failure', 'system')).toBe(true);
    expect(r.admit('transport_down', 'events')).toBe(true);
    clock.now += 10_000;
    expect(r.admit('transport_down', 'system')).toBe(true);
  });

  it('admit: a different subject (another failed node) is reported within the same window', () => {
    const { rules: r } = rules();
    expect(r.admit('node_failure', 'system', 'node-a')).toBe(true);
    expect(r.admit('node_failure', 'system', 'node-a')).toBe(false);
    expect(r.admit('node_failure', 'system', 'node-b')).toBe(true);
  });
});
