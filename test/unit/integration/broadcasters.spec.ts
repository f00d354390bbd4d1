import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { CHANNEL_NAMES } from '../../../libs/pubsub/src/channels/channel-names.js';
import { FULLY_TIMED_CALLS, LATENCY_SAMPLE_EVERY } from '../../../libs/pubsub/src/delivery/mailbox.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { Broadcasters, HEALTH_BROADCAST_JOB, METRICS_BROADCAST_JOB } from '../../../libs/pubsub/src/integration/broadcasters.js';
import { PubSubConfigService } from '../../../libs/pubsub/src/integration/pubsub-config.service.js';
import { CATALOGUE_HOOKS } from '../../../libs/pubsub/src/messages/catalogue.js';
import { ChannelRecorder, RecordingLogger, sleep } from '../../support/integration-helpers.js';

function setup(intervals = { health: 20, metrics: 30 }, integration = true) {
  const channels = new ChannelSet({ nodeName: 'bcast-node', logger: silentLogger, wiring: CATALOGUE_HOOKS });
  const config = new PubSubConfigService({
    integration,
    healthBroadcastInterval: intervals.health,
    metricsBroadcastInterval: intervals.metrics,
  });
  const registry = new SchedulerRegistry();
  const logger = new RecordingLogger();
  const broadcasters = new Broadcasters({ channels, config, registry, logger, nodes: () => ['bcast-node', 'other-node'] });
  const health = new ChannelRecorder(channels.channel('health'));
  const metrics = new ChannelRecorder(channels.channel('metrics'));
  return { channels, config, registry, logger, broadcasters, health, metrics };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('Broadcasters: the health tick', () => {
  it('sends node_health_updated with real checks, cluster_health_updated, and component health for every channel', async () => {
    // Intervals far longer than the test: only the tick it calls runs, however slow the machine is.
    const s = setup({ health: 60_000, metrics: 60_000 });
    s.broadcasters.start();
    try {
      s.broadcasters.broadcastHealth();
      expect(await s.channels.drain(1_000)).toBe(true);
      const node = s.health.payloadsOf('node_health_updated', 'cluster:health');
      expect(node).toHaveLength(1);
      const { checks, status, loadAvg, memoryUsage } = node[0];
      expect(node[0].node).toBe('bcast-node');
      expect(['healthy', 'degraded', 'unhealthy']).toContain(status);
      expect(checks).toEqual({
        eventLoopDelayP99Ms: expect.any(Number),
        eventLoopDelayMaxMs: expect.any(Number),
        heapUsedBytes: expect.any(Number),
        heapLimitBytes: expect.any(Number),
        rssBytes: expect.any(Number),
        unhealthyChannels: [],
        degradedChannels: [],
      });
      expect(checks.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
      expect(checks.heapUsedBytes).toBeGreaterThan(0);
      expect(checks.heapLimitBytes).toBeGreaterThan(checks.heapUsedBytes);
      expect(checks.rssBytes).toBeGreaterThan(checks.heapUsedBytes / 2);
      expect(typeof loadAvg).toBe('number');
      expect(loadAvg).toBeGreaterThanOrEqual(0);
      expect(memoryUsage).toBeGreaterThan(0);
      expect(memoryUsage).toBeLessThan(100);
      expect(s.health.payloadsOf('cluster_health_updated', 'cluster:health')).toEqual([
        expect.objectContaining({ status: 'healthy', healthyNodes: 2, totalNodes: 2, quorumStatus: 'available' }),
      ]);
      const components = s.health.ofType('component_health_updated');
      expect(components.map((m) => m.topic).sort()).toEqual(CHANNEL_NAMES.map((name) => `channel_health:${name}`).sort());
      for (const message of components) {
        expect(message.payload).toMatchObject({
          component: message.topic.split(':')[1],
          status: 'healthy',
          details: { dropped: 0, handlerErrors: 0 },
        });
      }
      // Everything sent is a valid catalogue message (a refused one would have been counted).
      expect(s.channels.channel('health').stats().failedPublications).toBe(0);
      expect(s.logger.warnings).toEqual([]);
    } finally {
      s.broadcasters.stop();
    }
  });

  it('component health details reflect the drops and handler errors of the last interval only', async () => {
    const s = setup();
    const events = s.channels.channel('events');
    events.subscribe(
      't',
      () => {
        throw new Error('handler failure');
      },
      { mailboxSize: 1 },
    );
    for (let i = 0; i < 5; i++) events.publish('t', 'x', i);
    expect(await s.channels.drain(1_000)).toBe(true);

    s.broadcasters.broadcastHealth();
    expect(await s.channels.drain(1_000)).toBe(true);
    const first = s.health.payloadsOf('component_health_updated', 'channel_health:events');
    expect(first).toEqual([
      expect.objectContaining({
        component: 'events',
        node: 'bcast-node',
        status: 'unhealthy',
        details: expect.objectContaining({
          instance: 'ex_esdb_events',
          subscriptions: 1,
          mailboxDepth: 0,
          dropped: 4,
          handlerErrors: 1,
          failedPublications: 0,
        }),
      }),
    ]);
    expect(s.health.payloadsOf('node_health_updated')[0].checks.unhealthyChannels).toEqual(['events']);
    expect(s.health.payloadsOf('node_health_updated')[0].status).not.toBe('healthy');

    s.health.clear();
    events.publish('bad topic', 'x');
    s.broadcasters.broadcastHealth();
    expect(await s.channels.drain(1_000)).toBe(true);
    expect(s.health.payloadsOf('component_health_updated', 'channel_health:events')).toEqual([
      expect.objectContaining({
        status: 'degraded',
        details: expect.objectContaining({ dropped: 0, handlerErrors: 0, failedPublications: 1 }),
      }),
    ]);

    s.health.clear();
    s.broadcasters.broadcastHealth();
    expect(await s.channels.drain(1_000)).toBe(true);
    expect(s.health.payloadsOf('component_health_updated', 'channel_health:events')[0]).toMatchObject({ status: 'healthy' });
  });
});

describe('Broadcasters: the metrics tick', () => {
  it('one throughput_metric per channel counting the publications of the interval', async () => {
    const s = setup();
    const events = s.channels.channel('events');
    for (let i = 0; i < 7; i++) events.publish('t', 'x', i);
    s.channels.channel('audit').publish('t', 'x');
    s.broadcasters.broadcastMetrics();
    expect(await s.channels.drain(1_000)).toBe(true);
    const throughput = s.metrics.ofType('throughput_metric', 'throughput').map((m) => m.payload as Record<string, any>);
    expect(throughput.map((p) => p.operation).sort()).toEqual(CHANNEL_NAMES.map((name) => `publish:${name}`).sort());
    const of = (name: string) => throughput.find((p) => p.operation === `publish:${name}`)!;
    expect(of('events')).toMatchObject({ count: 7, durationMs: expect.any(Number), ratePerSec: expect.any(Number), node: 'bcast-node' });
    expect(of('audit').count).toBe(1);
    expect(of('logging').count).toBe(0);

    s.metrics.clear();
    events.publish('t', 'x');
    s.broadcasters.broadcastMetrics();
    expect(await s.channels.drain(1_000)).toBe(true);
    const second = s.metrics.payloadsOf('throughput_metric', 'throughput');
    expect(second.find((p) => p.operation === 'publish:events')!.count).toBe(1);
    expect(second.find((p) => p.operation === 'publish:audit')!.count).toBe(0);
    // The previous tick's 20 metrics messages are this interval's metrics traffic.
    expect(second.find((p) => p.operation === 'publish:metrics')!.count).toBe(2 * CHANNEL_NAMES.length);
  });

  it('after a pause, the first interval counts from the re-enable, not the whole disabled period', async () => {
    const s = setup({ health: 60_000, metrics: 60_000 });
    s.broadcasters.start();
    s.config.disable();
    const audit = s.channels.channel('audit');
    for (let i = 0; i < 5; i++) audit.publish('a', 'x', i);
    s.config.enable();
    audit.publish('a', 'x', 'after');
    s.broadcasters.broadcastMetrics();
    s.broadcasters.stop();
    expect(await s.channels.drain(1_000)).toBe(true);
    const ofAudit = s.metrics.payloadsOf('throughput_metric', 'throughput').find((p) => p.operation === 'publish:audit')!;
    expect(ofAudit.count).toBe(1);
  });

  it('times every call up to FULLY_TIMED_CALLS per interval, then one call in LATENCY_SAMPLE_EVERY', async () => {
    const s = setup();
    const events = s.channels.channel('events');
    events.subscribe('t', () => undefined);
    const extra = 10 * LATENCY_SAMPLE_EVERY;
    for (let i = 0; i < FULLY_TIMED_CALLS + extra; i++) events.publish('t', 'x', i);
    expect(await s.channels.drain(2_000)).toBe(true);
    s.broadcasters.broadcastMetrics();
    expect(await s.channels.drain(1_000)).toBe(true);
    const ofEvents = s.metrics.payloadsOf('latency_metric', 'latency').find((p) => p.operation === 'handle:events')!;
    expect(ofEvents.sampleCount).toBe(FULLY_TIMED_CALLS + extra / LATENCY_SAMPLE_EVERY);
  });

  it('one latency_metric per channel whose sample count and percentiles reflect the handler calls', async () => {
    const s = setup();
    const events = s.channels.channel('events');
    // Below FULLY_TIMED_CALLS in an interval, every handler call is timed.
    const calls = 3 * LATENCY_SAMPLE_EVERY;
    events.subscribe(
      't',
      async () => {
        await sleep(10);
      },
      { concurrency: calls },
    );
    for (let i = 0; i < calls; i++) events.publish('t', 'x', i);
    expect(await s.channels.drain(2_000)).toBe(true);
    s.broadcasters.broadcastMetrics();
    expect(await s.channels.drain(1_000)).toBe(true);
    const latency = s.metrics.payloadsOf('latency_metric', 'latency');
    expect(latency.map((p) => p.operation).sort()).toEqual(CHANNEL_NAMES.map((name) => `handle:${name}`).sort());
    const ofEvents = latency.find((p) => p.operation === 'handle:events')!;
    expect(ofEvents).toMatchObject({ percentile: 'p99', sampleCount: calls, node: 'bcast-node' });
    expect(ofEvents.latencyMs).toBeGreaterThanOrEqual(8);
    expect(ofEvents.latencyMs).toBeLessThan(1_000);
    expect(ofEvents.percentiles.p50).toBeGreaterThanOrEqual(8);
    expect(ofEvents.percentiles.min).toBeGreaterThanOrEqual(8);
    expect(ofEvents.percentiles.max).toBeGreaterThanOrEqual(ofEvents.percentiles.p99);
    expect(latency.find((p) => p.operation === 'handle:audit')).toMatchObject({ sampleCount: 0, latencyMs: 0 });

    s.metrics.clear();
    s.broadcasters.broadcastMetrics();
    expect(await s.channels.drain(1_000)).toBe(true);
    expect(s.metrics.payloadsOf('latency_metric', 'latency').find((p) => p.operation === 'handle:events')).toMatchObject({
      sampleCount: 0,
    });
  });
});

describe('Broadcasters: scheduling', () => {
  it('arms both named intervals while enabled, pauses while disabled, re-arms on interval change, clears on stop', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'performance'] });
    const s = setup({ health: 20, metrics: 50 });
    s.broadcasters.start();
    expect(s.registry.getIntervals().sort()).toEqual([HEALTH_BROADCAST_JOB, METRICS_BROADCAST_JOB].sort());
    const nodeTicks = () => s.health.ofType('node_health_updated').length;
    const metricTicks = () => s.metrics.ofType('throughput_metric').length / CHANNEL_NAMES.length;

    await jest.advanceTimersByTimeAsync(100);
    await s.channels.drain(1_000);
    expect(nodeTicks()).toBe(5);
    expect(metricTicks()).toBe(2);

    s.config.disable();
    expect(s.registry.getIntervals()).toEqual([]);
    await jest.advanceTimersByTimeAsync(500);
    await s.channels.drain(1_000);
    expect(nodeTicks()).toBe(5);
    expect(metricTicks()).toBe(2);

    // Changed while disabled: applied when enabled again.
    s.config.setHealthBroadcastInterval(40);
    expect(s.registry.getIntervals()).toEqual([]);
    s.config.enable();
    expect(s.registry.getIntervals().sort()).toEqual([HEALTH_BROADCAST_JOB, METRICS_BROADCAST_JOB].sort());
    await jest.advanceTimersByTimeAsync(200);
    await s.channels.drain(1_000);
    expect(nodeTicks()).toBe(5 + 5);
    expect(metricTicks()).toBe(2 + 4);

    // Changed while enabled: re-armed at once with the new period.
    s.config.setMetricsBroadcastInterval(10);
    await jest.advanceTimersByTimeAsync(100);
    await s.channels.drain(1_000);
    expect(metricTicks()).toBe(6 + 10);
    expect(nodeTicks()).toBe(10 + 2);

    s.broadcasters.stop();
    expect(s.registry.getIntervals()).toEqual([]);
    await jest.advanceTimersByTimeAsync(500);
    await s.channels.drain(1_000);
    expect(nodeTicks()).toBe(12);
    expect(metricTicks()).toBe(16);
    // Stopped: later config changes arm nothing.
    s.config.setHealthBroadcastInterval(5);
    s.config.disable();
    s.config.enable();
    expect(s.registry.getIntervals()).toEqual([]);
  });

  it('starts paused when the integration is disabled', () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'performance'] });
    const s = setup({ health: 20, metrics: 20 }, false);
    s.broadcasters.start();
    expect(s.registry.getIntervals()).toEqual([]);
    s.config.enable();
    expect(s.registry.getIntervals()).toHaveLength(2);
    s.broadcasters.stop();
  });
});
