import 'reflect-metadata';
import { Counter, Registry, register as defaultRegistry } from 'prom-client';
import { PubSubManager, type PubSubModuleOptions } from '@gater/pubsub';
import { deferred } from '../support/channels.js';
import { startApp } from '../support/pubsub-app.js';

const NAMES = [
  'gater_pubsub_messages_published_total',
  'gater_pubsub_messages_delivered_total',
  'gater_pubsub_publish_failures_total',
  'gater_pubsub_handler_errors_total',
  'gater_pubsub_messages_dropped_total',
  'gater_pubsub_messages_lost_total',
  'gater_pubsub_mailbox_depth',
  'gater_pubsub_handler_duration_seconds',
  'gater_pubsub_transport_connected',
  'gater_pubsub_nodes',
];

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  return metric.values as Sample[];
}

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const found = (await samples(registry, name)).find(
    (s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length,
  );
  return found?.value;
}

const startWithMetrics = (options: PubSubModuleOptions) => startApp({ options: { integration: false, ...options } });

describe('Prometheus metrics', () => {
  it('reports exactly the documented names and labels, from the channel stats, never by topic', async () => {
    const registry = new Registry();
    const app = await startWithMetrics({ nodeName: 'metrics-node', metrics: { registry }, channels: { audit: { mailboxSize: 1 } } });
    try {
      const manager = app.get(PubSubManager);
      const events = manager.channel('events');
      let calls = 0;
      events.subscribe('orders:*', () => {
        calls++;
        if (calls === 2) throw new Error('boom (expected by the test)');
      });
      events.publish('orders:1', 'placed');
      events.publish('orders:2', 'placed');
      events.publish('orders:3', 'placed');
      expect(events.publish('orders::bad', 'placed')).toEqual(expect.objectContaining({ ok: false, reason: 'invalid_topic' }));
      expect(events.publish('orders:4', '')).toEqual(expect.objectContaining({ ok: false, reason: 'invalid_type' }));
      const audit = manager.channel('audit');
      const held = deferred();
      audit.subscribe('*', () => held.promise, { overflow: 'drop-newest' });
      audit.publish('a', 't');
      await manager.drain(200);
      audit.publish('a', 't'); // waits in the mailbox (the first call never finishes)
      audit.publish('a', 't'); // dropped
      await manager.drain(200);

      const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
      expect(names).toEqual([...NAMES].sort());
      for (const metric of await registry.getMetricsAsJSON()) {
        for (const sample of metric.values as Sample[]) {
          expect(Object.keys(sample.labels).filter((label) => !['channel', 'reason', 'le'].includes(label))).toEqual([]);
        }
      }
      expect(await value(registry, 'gater_pubsub_messages_published_total', { channel: 'events' })).toBe(3);
      expect(await value(registry, 'gater_pubsub_messages_delivered_total', { channel: 'events' })).toBe(2);
      expect(await value(registry, 'gater_pubsub_handler_errors_total', { channel: 'events' })).toBe(1);
      expect(await value(registry, 'gater_pubsub_publish_failures_total', { channel: 'events', reason: 'invalid_topic' })).toBe(1);
      expect(await value(registry, 'gater_pubsub_publish_failures_total', { channel: 'events', reason: 'invalid_type' })).toBe(1);
      expect(await value(registry, 'gater_pubsub_messages_dropped_total', { channel: 'audit' })).toBe(1);
      expect(await value(registry, 'gater_pubsub_mailbox_depth', { channel: 'audit' })).toBe(1);
      expect(await value(registry, 'gater_pubsub_messages_lost_total', { channel: 'events' })).toBe(0);
      expect(await value(registry, 'gater_pubsub_transport_connected', {})).toBe(1);
      expect(await value(registry, 'gater_pubsub_nodes', {})).toBe(1);
      // Every channel has its series, busy or not.
      expect((await samples(registry, 'gater_pubsub_messages_published_total')).map((s) => s.labels.channel)).toHaveLength(10);
      // Every handler call is timed: three on events, one started on audit (still running, so not yet observed).
      const durations = await samples(registry, 'gater_pubsub_handler_duration_seconds');
      const count = (channel: string) =>
        durations.find((s) => s.metricName === 'gater_pubsub_handler_duration_seconds_count' && s.labels.channel === channel)?.value;
      expect(count('events')).toBe(3);
      expect(count('audit') ?? 0).toBe(0);
      const text = await registry.metrics();
      expect(text).toContain('# TYPE gater_pubsub_handler_duration_seconds histogram');
      expect(text).toContain('# TYPE gater_pubsub_messages_published_total counter');
      expect(text).not.toContain('orders');
      held.resolve();
    } finally {
      await app.close();
    }
  });

  it('times every handler call into the histogram buckets, also for applications sharing a registry', async () => {
    const registry = new Registry();
    const buckets = [0.001, 0.5, 10];
    const fast = await startWithMetrics({ metrics: { registry, buckets, labels: { app: 'fast' } } });
    const slow = await startWithMetrics({ metrics: { registry, buckets, labels: { app: 'slow' } } });
    try {
      const fastEvents = fast.get(PubSubManager).channel('events');
      const slowEvents = slow.get(PubSubManager).channel('events');
      fastEvents.subscribe('*', () => undefined);
      slowEvents.subscribe('*', () => new Promise((resolve) => setTimeout(resolve, 20)));
      for (let i = 0; i < 5; i++) fastEvents.publish('a', 't');
      for (let i = 0; i < 2; i++) slowEvents.publish('a', 't');
      await Promise.all([fast.get(PubSubManager).drain(2_000), slow.get(PubSubManager).drain(2_000)]);
      const series = await samples(registry, 'gater_pubsub_handler_duration_seconds');
      const pick = (app: string, suffix: string, le?: number) =>
        series.find(
          (s) =>
            s.metricName === `gater_pubsub_handler_duration_seconds_${suffix}` &&
            s.labels.app === app &&
            s.labels.channel === 'events' &&
            (le === undefined || s.labels.le === le),
        )?.value;
      expect(pick('fast', 'count')).toBe(5);
      expect(pick('slow', 'count')).toBe(2);
      // Cumulative buckets: the 20 ms calls are above 1 ms and within 0.5 s.
      expect(pick('slow', 'bucket', 0.001)).toBe(0);
      expect(pick('slow', 'bucket', 0.5)).toBe(2);
      expect(pick('fast', 'bucket', 10)).toBe(5);
      expect(pick('slow', 'sum')).toBeGreaterThanOrEqual(0.035);
      expect(pick('slow', 'sum')).toBeLessThan(1);
      await slow.close();
      const after = await samples(registry, 'gater_pubsub_handler_duration_seconds');
      expect(after.some((s) => s.labels.app === 'slow')).toBe(false);
      expect(after.some((s) => s.labels.app === 'fast')).toBe(true);
    } finally {
      await Promise.all([fast.close(), slow.close()]);
    }
  });

  it('registers nothing on the default registry unless asked, and unregisters at close', async () => {
    const none = await startApp();
    expect(defaultRegistry.getSingleMetric('gater_pubsub_nodes')).toBeUndefined();
    await none.close();

    const registry = new Registry();
    const own = await startWithMetrics({ metrics: { registry } });
    expect(defaultRegistry.getSingleMetric('gater_pubsub_nodes')).toBeUndefined();
    expect(registry.getSingleMetric('gater_pubsub_nodes')).toBeDefined();
    await own.close();
    expect(await registry.getMetricsAsJSON()).toEqual([]);

    const asked = await startWithMetrics({ metrics: {} });
    try {
      expect(defaultRegistry.getSingleMetric('gater_pubsub_nodes')).toBeDefined();
    } finally {
      await asked.close();
    }
    expect(defaultRegistry.getSingleMetric('gater_pubsub_nodes')).toBeUndefined();
  });

  it('keeps two applications apart, on their own registries or on one with distinct labels', async () => {
    const first = new Registry();
    const second = new Registry();
    const a = await startWithMetrics({ nodeName: 'a', metrics: { registry: first } });
    const b = await startWithMetrics({ nodeName: 'b', metrics: { registry: second } });
    const shared = new Registry();
    const c = await startWithMetrics({ nodeName: 'c', metrics: { registry: shared, labels: { app: 'c' } } });
    const d = await startWithMetrics({ nodeName: 'd', metrics: { registry: shared, labels: { app: 'd' } } });
    try {
      a.get(PubSubManager).channel('events').publish('x', 't');
      for (let i = 0; i < 2; i++) b.get(PubSubManager).channel('events').publish('x', 't');
      for (let i = 0; i < 3; i++) c.get(PubSubManager).channel('events').publish('x', 't');
      d.get(PubSubManager).channel('system').publish('x', 't');
      expect(await value(first, 'gater_pubsub_messages_published_total', { channel: 'events' })).toBe(1);
      expect(await value(second, 'gater_pubsub_messages_published_total', { channel: 'events' })).toBe(2);
      expect(await value(shared, 'gater_pubsub_messages_published_total', { app: 'c', channel: 'events' })).toBe(3);
      expect(await value(shared, 'gater_pubsub_messages_published_total', { app: 'd', channel: 'events' })).toBe(0);
      expect(await value(shared, 'gater_pubsub_messages_published_total', { app: 'd', channel: 'system' })).toBe(1);

      // The same registry and the same labels would mix two applications' figures: refused at start-up.
      await expect(startWithMetrics({ metrics: { registry: shared, labels: { app: 'c' } } })).rejects.toThrow(
        /another application already reports .*distinct metrics.labels/,
      );
      await expect(startWithMetrics({ metrics: { registry: first } })).rejects.toThrow(/another application already reports/);

      // One application leaving a shared registry takes only its own series with it.
      await c.close();
      expect(await value(shared, 'gater_pubsub_messages_published_total', { app: 'c', channel: 'events' })).toBeUndefined();
      expect(await value(shared, 'gater_pubsub_messages_published_total', { app: 'd', channel: 'system' })).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close(), c.close(), d.close()]);
    }
    expect(await shared.getMetricsAsJSON()).toEqual([]);
  });

  it('refuses invalid metrics options at start-up, naming the option', async () => {
    await expect(startWithMetrics({ metrics: { labels: { channel: 'x' } } })).rejects.toThrow(/metrics\.labels .*'channel'/);
    await expect(startWithMetrics({ metrics: { registry: {} as never } })).rejects.toThrow(
      /metrics\.registry must be a prom-client Registry/,
    );
    await expect(startWithMetrics({ metrics: { buckets: [1, 0.5] } })).rejects.toThrow(/metrics\.buckets/);
    // A name the application itself registered is never taken over.
    const registry = new Registry();
    new Counter({ name: 'gater_pubsub_nodes', help: 'the application own', registers: [registry] });
    await expect(startWithMetrics({ metrics: { registry } })).rejects.toThrow(/already has a metric named 'gater_pubsub_nodes'/);
    // What the failed start-up had registered before the clash is gone again.
    expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual(['gater_pubsub_nodes']);
  });
});
