import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import {
  HEALTH_BROADCAST_JOB,
  METRICS_BROADCAST_JOB,
  PubSubConfigService,
  PubSubIntegration,
  PubSubManager,
  type PubSubMessage,
} from '@gater/pubsub';
import type { TestingModule } from '@nestjs/testing';
import { startApp } from '../support/pubsub-app.js';
import { sleep, waitFor, withEnv } from '../support/integration-helpers.js';

const CLEAN_ENV = {
  PUBSUB_INTEGRATION: undefined,
  PUBSUB_HEALTH_BROADCAST_INTERVAL: undefined,
  PUBSUB_METRICS_BROADCAST_INTERVAL: undefined,
  PUBSUB_REDIS_URL: undefined,
  SECRET_KEY_BASE: undefined,
};

let app: TestingModule | undefined;
afterEach(async () => {
  jest.restoreAllMocks();
  await app?.close();
  app = undefined;
});

describe('start-up fails with an error naming the bad option or variable', () => {
  it('invalid PUBSUB_HEALTH_BROADCAST_INTERVAL=abc', async () => {
    await withEnv({ ...CLEAN_ENV, PUBSUB_HEALTH_BROADCAST_INTERVAL: 'abc' }, async () => {
      await expect(startApp({ options: { integration: true } })).rejects.toThrow(/PUBSUB_HEALTH_BROADCAST_INTERVAL.*'abc'/);
    });
  });

  it('invalid PUBSUB_METRICS_BROADCAST_INTERVAL=0 and PUBSUB_INTEGRATION=perhaps', async () => {
    await withEnv({ ...CLEAN_ENV, PUBSUB_METRICS_BROADCAST_INTERVAL: '0' }, async () => {
      await expect(startApp()).rejects.toThrow('PUBSUB_METRICS_BROADCAST_INTERVAL');
    });
    await withEnv({ ...CLEAN_ENV, PUBSUB_INTEGRATION: 'perhaps' }, async () => {
      await expect(startApp({ options: { integration: undefined } })).rejects.toThrow('PUBSUB_INTEGRATION');
    });
  });

  it('negative healthBroadcastInterval, bad channels.metrics.mailboxSize, unknown channel key', async () => {
    await withEnv(CLEAN_ENV, async () => {
      await expect(startApp({ options: { healthBroadcastInterval: -5 } })).rejects.toThrow('healthBroadcastInterval');
      await expect(startApp({ options: { metricsBroadcastInterval: 0 } })).rejects.toThrow('metricsBroadcastInterval');
      await expect(startApp({ options: { channels: { metrics: { mailboxSize: -1 } } } })).rejects.toThrow('channels.metrics.mailboxSize');
      await expect(startApp({ options: { channels: { metricz: { mailboxSize: 5 } } as never } })).rejects.toThrow('channels.metricz');
      await expect(startApp({ options: { alerting: { handlerErrors: 0 } } })).rejects.toThrow('alerting.handlerErrors');
    });
  });
});

describe('environment variables reach the application', () => {
  it('PUBSUB_INTEGRATION and the interval variables apply when no option is given', async () => {
    await withEnv(
      { ...CLEAN_ENV, PUBSUB_INTEGRATION: 'false', PUBSUB_HEALTH_BROADCAST_INTERVAL: '1234', PUBSUB_METRICS_BROADCAST_INTERVAL: '5678' },
      async () => {
        app = await startApp({ options: { integration: undefined } });
      },
    );
    const config = app!.get(PubSubConfigService);
    expect(config.isEnabled()).toBe(false);
    expect(config.healthBroadcastInterval).toBe(1_234);
    expect(config.metricsBroadcastInterval).toBe(5_678);
  });

  it('options win over the environment', async () => {
    await withEnv({ ...CLEAN_ENV, PUBSUB_INTEGRATION: 'false', PUBSUB_HEALTH_BROADCAST_INTERVAL: '1234' }, async () => {
      app = await startApp({ options: { integration: true, healthBroadcastInterval: 60_000, metricsBroadcastInterval: 60_000 } });
    });
    const config = app!.get(PubSubConfigService);
    expect(config.isEnabled()).toBe(true);
    expect(config.healthBroadcastInterval).toBe(60_000);
  });
});

describe('PubSubConfigService in an application', () => {
  const nodeHealthCount = (seen: PubSubMessage[]) => seen.filter((m) => m.type === 'node_health_updated').length;

  it('setHealthBroadcastInterval re-arms the named interval: new handle in the registry, new tick rate', async () => {
    app = await startApp({
      options: { integration: true, healthBroadcastInterval: 60_000, metricsBroadcastInterval: 60_000 },
      imports: [ScheduleModule.forRoot()],
    });
    const registry = app.get(SchedulerRegistry);
    const config = app.get(PubSubConfigService);
    const seen: PubSubMessage[] = [];
    app
      .get(PubSubManager)
      .channel('health')
      .subscribe('cluster:health', (m) => void seen.push(m));
    const before = registry.getInterval(HEALTH_BROADCAST_JOB);
    const metricsBefore = registry.getInterval(METRICS_BROADCAST_JOB);
    await sleep(60);
    expect(nodeHealthCount(seen)).toBe(0);

    config.setHealthBroadcastInterval(20);
    expect(config.healthBroadcastInterval).toBe(20);
    expect(registry.getInterval(HEALTH_BROADCAST_JOB)).not.toBe(before);
    expect(registry.getInterval(METRICS_BROADCAST_JOB)).toBe(metricsBefore);
    await waitFor(() => nodeHealthCount(seen) >= 3, 'three health ticks at 20 ms');
  });

  it('setters refuse bad values with an error and keep the running interval', async () => {
    app = await startApp({
      options: { integration: true, healthBroadcastInterval: 60_000, metricsBroadcastInterval: 60_000 },
      imports: [ScheduleModule.forRoot()],
    });
    const config = app.get(PubSubConfigService);
    const registry = app.get(SchedulerRegistry);
    const handle = registry.getInterval(HEALTH_BROADCAST_JOB);
    expect(() => config.setHealthBroadcastInterval(-1)).toThrow(/setHealthBroadcastInterval/);
    expect(() => config.setMetricsBroadcastInterval('fast' as never)).toThrow(/setMetricsBroadcastInterval/);
    expect(config.healthBroadcastInterval).toBe(60_000);
    expect(registry.getInterval(HEALTH_BROADCAST_JOB)).toBe(handle);
  });

  it('disable() removes the broadcasters from the registry and stops the ticks; enable() brings them back', async () => {
    app = await startApp({
      options: { integration: true, healthBroadcastInterval: 20, metricsBroadcastInterval: 20 },
      imports: [ScheduleModule.forRoot()],
    });
    const registry = app.get(SchedulerRegistry);
    const config = app.get(PubSubConfigService);
    const manager = app.get(PubSubManager);
    const seen: PubSubMessage[] = [];
    manager.channel('health').subscribe('cluster:health', (m) => void seen.push(m));
    await waitFor(() => nodeHealthCount(seen) >= 2, 'health ticks');

    config.disable();
    expect(registry.doesExist('interval', HEALTH_BROADCAST_JOB)).toBe(false);
    expect(registry.doesExist('interval', METRICS_BROADCAST_JOB)).toBe(false);
    await manager.drain(1_000);
    const paused = nodeHealthCount(seen);
    await sleep(120);
    expect(nodeHealthCount(seen)).toBe(paused);
    // The channels keep working while the integration layer is off.
    expect(manager.channel('health').publish('cluster:health', 'custom', {})).toMatchObject({ ok: true });

    config.enable();
    expect(registry.getIntervals()).toEqual(expect.arrayContaining([HEALTH_BROADCAST_JOB, METRICS_BROADCAST_JOB]));
    await waitFor(() => nodeHealthCount(seen) >= paused + 2, 'ticks after enable()');
  });

  it("the integration warning goes through Nest's Logger", async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    app = await startApp({ options: { integration: true, healthBroadcastInterval: 60_000, metricsBroadcastInterval: 60_000 } });
    const result = app.get(PubSubIntegration).broadcastHealthUpdate('database', 'splendid');
    expect(result).toMatchObject({ ok: false, reason: 'invalid_message' });
    expect(warn.mock.calls.map((call) => String(call[0]))).toContainEqual(
      expect.stringMatching(/^Failed to broadcast health update: .*status/),
    );
  });
});
