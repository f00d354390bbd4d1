import { describe, expect, it } from '@jest/globals';
import { NodeHealthProbe } from '../../../libs/pubsub/src/integration/node-health-probe.js';

describe('NodeHealthProbe', () => {
  it('measures this process and derives the status from failing channels', () => {
    const probe = new NodeHealthProbe();
    probe.start();
    try {
      const calm = probe.sample({ events: 'healthy', audit: 'healthy' });
      expect(calm.checks.heapUsedBytes).toBeGreaterThan(0);
      expect(calm.checks.heapLimitBytes).toBeGreaterThan(calm.checks.heapUsedBytes);
      expect(calm.checks.rssBytes).toBeGreaterThan(0);
      expect(calm.memoryUsage).toBeCloseTo((calm.checks.heapUsedBytes / calm.checks.heapLimitBytes) * 100, 1);
      expect(Number.isFinite(calm.checks.eventLoopDelayP99Ms)).toBe(true);
      expect(Number.isFinite(calm.loadAvg)).toBe(true);
      expect(calm.checks).toMatchObject({ unhealthyChannels: [], degradedChannels: [] });

      const failing = probe.sample({ events: 'unhealthy', audit: 'degraded', logging: 'healthy' });
      expect(failing.checks).toMatchObject({ unhealthyChannels: ['events'], degradedChannels: ['audit'] });
      expect(failing.status).not.toBe('healthy');
    } finally {
      probe.stop();
    }
  });

  it('reports a blocked event loop', async () => {
    const probe = new NodeHealthProbe();
    probe.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const until = Date.now() + 250;
      while (Date.now() < until) {
        // Block the event loop.
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
      const sample = probe.sample({});
      expect(sample.checks.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(200);
      expect(sample.status).not.toBe('healthy');
    } finally {
      probe.stop();
    }
  });
});
