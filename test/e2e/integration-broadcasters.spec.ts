import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import { Interval, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import type { TestingModule } from '@nestjs/testing';
import { CHANNEL_NAMES, HEALTH_BROADCAST_JOB, METRICS_BROADCAST_JOB, PubSubManager } from '@gater/pubsub';
import { LATENCY_SAMPLE_EVERY } from '../../libs/pubsub/src/delivery/mailbox.js';
import { startApp } from '../support/pubsub-app.js';
import { ChannelRecorder, sleep, waitFor } from '../support/integration-helpers.js';

const FAST = { integration: true, healthBroadcastInterval: 25, metricsBroadcastInterval: 25 };
const SLOW = 600_000;

let app: TestingModule | undefined;
afterEach(async () => {
  jest.restoreAllMocks();
  await app?.close();
  app = undefined;
});

@Injectable()
class AppJob {
  runs = 0;
  @Interval('app:own-job', 40)
  tick() {
    this.runs++;
  }
}

describe('broadcasters through the SchedulerRegistry', () => {
  it("appear in the application's registry when it imports ScheduleModule.forRoot(), beside its own jobs, which run once per period", async () => {
    app = await startApp({
      options: { integration: true, healthBroadcastInterval: SLOW, metricsBroadcastInterval: SLOW },
      providers: [AppJob],
      imports: [ScheduleModule.forRoot()],
    });
    const registry = app.get(SchedulerRegistry);
    expect(registry.getIntervals().sort()).toEqual(['app:own-job', HEALTH_BROADCAST_JOB, METRICS_BROADCAST_JOB].sort());
    const job = app.get(AppJob);
    const startedAt = Date.now();
    await sleep(250);
    const elapsed = Date.now() - startedAt;
    // Run twice, it would be about 2 * elapsed / 40.
    expect(job.runs).toBeLessThanOrEqual(Math.floor(elapsed / 40) + 1);
    expect(job.runs).toBeGreaterThanOrEqual(2);
  });

  it("without ScheduleModule.forRoot() they still run, and the application's @Interval methods are not mounted by us", async () => {
    app = await startApp({ options: FAST, providers: [AppJob] });
    const health = new ChannelRecorder(app.get(PubSubManager).channel('health'), 'cluster:health');
    await waitFor(() => health.ofType('node_health_updated').length >= 2, 'two health ticks');
    expect(app.get(AppJob).runs).toBe(0);
  });

  it('are cleared on shutdown: gone from the registry, and no tick runs after app.close()', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const error = jest.spyOn(Logger.prototype, 'error');
    app = await startApp({
      options: { ...FAST, healthBroadcastInterval: 10, metricsBroadcastInterval: 10 },
      imports: [ScheduleModule.forRoot()],
    });
    const registry = app.get(SchedulerRegistry);
    const health = new ChannelRecorder(app.get(PubSubManager).channel('health'), 'cluster:health');
    await waitFor(() => health.ofType('node_health_updated').length >= 1, 'a health tick');
    await app.close();
    app = undefined;
    expect(registry.doesExist('interval', HEALTH_BROADCAST_JOB)).toBe(false);
    expect(registry.doesExist('interval', METRICS_BROADCAST_JOB)).toBe(false);
    warn.mockClear();
    error.mockClear();
    await sleep(60);
    // A tick after close would fail to publish on the closed channels and say so.
    expect([...warn.mock.calls, ...error.mock.calls]).toEqual([]);
  });

  it('without ScheduleModule too, no tick runs after app.close()', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    app = await startApp({ options: { ...FAST, healthBroadcastInterval: 10, metricsBroadcastInterval: 10 } });
    const metrics = new ChannelRecorder(app.get(PubSubManager).channel('metrics'), 'throughput');
    await waitFor(() => metrics.messages.length >= CHANNEL_NAMES.length, 'a metrics tick');
    await app.close();
    app = undefined;
    warn.mockClear();
    await sleep(60);
    expect(warn.mock.calls).toEqual([]);
  });
});

describe('the health tick', () => {
  it('sends node_health_updated and cluster_health_updated on cluster:health, and component health per channel', async () => {
    app = await startApp({ options: { ...FAST, nodeName: 'health-node', metricsBroadcastInterval: SLOW } });
    const health = new ChannelRecorder(app.get(PubSubManager).channel('health'));
    await waitFor(() => health.ofType('node_health_updated').length >= 2, 'two health ticks');
    const [node] = health.payloadsOf('node_health_updated', 'cluster:health');
    expect(node).toMatchObject({
      node: 'health-node',
      status: expect.stringMatching(/^(healthy|degraded|unhealthy)$/),
      loadAvg: expect.any(Number),
      memoryUsage: expect.any(Number),
      checks: {
        eventLoopDelayP99Ms: expect.any(Number),
        heapUsedBytes: expect.any(Number),
        heapLimitBytes: expect.any(Number),
        rssBytes: expect.any(Number),
      },
    });
    expect(node.checks.heapUsedBytes).toBeGreaterThan(0);
    expect(node.checks.rssBytes).toBeGreaterThan(0);
    expect(health.payloadsOf('cluster_health_updated', 'cluster:health')[0]).toMatchObject({
      status: 'healthy',
      healthyNodes: 1,
      totalNodes: 1,
    });
    await waitFor(() => health.ofType('component_health_updated').length >= 2 * CHANNEL_NAMES.length, 'two rounds of component health');
    const firstRound = health.ofType('component_health_updated').slice(0, CHANNEL_NAMES.length);
    expect(firstRound.map((m) => m.topic).sort()).toEqual(CHANNEL_NAMES.map((name) => `channel_health:${name}`).sort());
  });

  it('component health of a channel shows its drops and handler errors in the interval they happened, then recovers', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    app = await startApp({ options: { ...FAST, metricsBroadcastInterval: SLOW } });
    const manager = app.get(PubSubManager);
    const health = new ChannelRecorder(manager.channel('health'), 'channel_health:events');
    const events = manager.channel('events');
    events.subscribe(
      't',
      () => {
        throw new Error('handler failure');
      },
      { mailboxSize: 1 },
    );
    for (let i = 0; i < 5; i++) events.publish('t', 'x', i);
    const eventsHealth = () => health.payloadsOf('component_health_updated');
    const sum = (key: string) => eventsHealth().reduce((total, p) => total + p.details[key], 0);
    await waitFor(() => sum('dropped') === 4 && sum('handlerErrors') === 1, 'the drops and the error to be reported');
    const reporting = eventsHealth().filter((p) => p.details.dropped > 0);
    expect(reporting).toHaveLength(1);
    expect(reporting[0]).toMatchObject({ component: 'events', status: 'unhealthy', details: { subscriptions: 1 } });
    const seen = eventsHealth().length;
    await waitFor(() => eventsHealth().length >= seen + 2, 'two more health ticks');
    expect(eventsHealth().at(-1)).toMatchObject({ status: 'healthy', details: { dropped: 0, handlerErrors: 0 } });
    expect(sum('dropped')).toBe(4);
    expect(sum('handlerErrors')).toBe(1);
  });
});

describe('the metrics tick', () => {
  it('throughput_metric per channel counts the messages published in each interval, once', async () => {
    app = await startApp({ options: { ...FAST, healthBroadcastInterval: SLOW } });
    const manager = app.get(PubSubManager);
    const metrics = new ChannelRecorder(manager.channel('metrics'), 'throughput');
    await waitFor(() => metrics.messages.length >= CHANNEL_NAMES.length, 'a first metrics tick');
    const throughputOf = (channel: string) => metrics.payloadsOf('throughput_metric').filter((p) => p.operation === `publish:${channel}`);
    expect(new Set(metrics.payloadsOf('throughput_metric').map((p) => p.operation))).toEqual(
      new Set(CHANNEL_NAMES.map((c) => `publish:${c}`)),
    );
    for (let i = 0; i < 7; i++) manager.channel('audit').publish('audit:t', 'x', i);
    const total = () => throughputOf('audit').reduce((sum, p) => sum + p.count, 0);
    await waitFor(() => total() === 7, 'the 7 audit publications to be counted');
    const ticks = throughputOf('audit').length;
    await waitFor(() => throughputOf('audit').length >= ticks + 2, 'two more metrics ticks');
    expect(total()).toBe(7);
    expect(throughputOf('audit').at(-1)).toMatchObject({ count: 0, ratePerSec: 0 });
  });

  it('latency_metric per channel on latency: sample count and percentiles reflect the handler calls', async () => {
    app = await startApp({ options: { ...FAST, healthBroadcastInterval: SLOW } });
    const manager = app.get(PubSubManager);
    const latency = new ChannelRecorder(manager.channel('metrics'), 'latency');
    const calls = 2 * LATENCY_SAMPLE_EVERY;
    manager.channel('lifecycle').subscribe('work', async () => void (await sleep(15)), { concurrency: calls });
    for (let i = 0; i < calls; i++) manager.channel('lifecycle').publish('work', 'job', i);
    const ofLifecycle = () => latency.payloadsOf('latency_metric').filter((p) => p.operation === 'handle:lifecycle');
    await waitFor(() => ofLifecycle().reduce((sum, p) => sum + p.sampleCount, 0) === calls, 'every call to be timed');
    const sampled = ofLifecycle().find((p) => p.sampleCount > 0)!;
    expect(sampled).toMatchObject({ percentile: 'p99' });
    expect(sampled.latencyMs).toBeGreaterThanOrEqual(13);
    expect(sampled.latencyMs).toBeLessThan(2_000);
    expect(sampled.percentiles.min).toBeGreaterThanOrEqual(13);
    expect(new Set(latency.payloadsOf('latency_metric').map((p) => p.operation))).toEqual(new Set(CHANNEL_NAMES.map((c) => `handle:${c}`)));
  });
});
