import { describe, expect, it } from '@jest/globals';
import { PubSubConfigService, type ConfigChange } from '../../../libs/pubsub/src/integration/pubsub-config.service.js';

const make = (integration = true) =>
  new PubSubConfigService({ integration, healthBroadcastInterval: 1_000, metricsBroadcastInterval: 2_000 });

describe('PubSubConfigService', () => {
  it('reflects its settings through isEnabled() and the interval getters', () => {
    const config = make(false);
    expect(config.isEnabled()).toBe(false);
    expect(config.healthBroadcastInterval).toBe(1_000);
    expect(config.metricsBroadcastInterval).toBe(2_000);
  });

  it('enable() / disable() toggle isEnabled() and tell listeners once per actual change', () => {
    const config = make(true);
    const changes: ConfigChange[] = [];
    config.onChange((change) => changes.push(change));
    config.enable();
    expect(changes).toEqual([]);
    config.disable();
    expect(config.isEnabled()).toBe(false);
    config.disable();
    config.enable();
    expect(config.isEnabled()).toBe(true);
    expect(changes).toEqual(['enabled', 'enabled']);
  });

  it('interval setters update the getters and tell listeners which interval changed', () => {
    const config = make();
    const changes: ConfigChange[] = [];
    const stop = config.onChange((change) => changes.push(change));
    config.setHealthBroadcastInterval(25);
    config.setMetricsBroadcastInterval(50);
    config.setMetricsBroadcastInterval(50);
    expect(config.healthBroadcastInterval).toBe(25);
    expect(config.metricsBroadcastInterval).toBe(50);
    expect(changes).toEqual(['healthBroadcastInterval', 'metricsBroadcastInterval']);
    stop();
    config.setHealthBroadcastInterval(30);
    expect(changes).toHaveLength(2);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '100', null, undefined])(
    'setters reject %p with an error naming the setter and leave the interval unchanged',
    (bad) => {
      const config = make();
      const changes: ConfigChange[] = [];
      config.onChange((change) => changes.push(change));
      expect(() => config.setHealthBroadcastInterval(bad as number)).toThrow(/setHealthBroadcastInterval/);
      expect(() => config.setMetricsBroadcastInterval(bad as number)).toThrow(/setMetricsBroadcastInterval/);
      expect(config.healthBroadcastInterval).toBe(1_000);
      expect(config.metricsBroadcastInterval).toBe(2_000);
      expect(changes).toEqual([]);
    },
  );
});
