import { describe, expect, it } from '@jest/globals';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import type { AlertThresholds } from '../../../libs/pubsub/src/integration/alert-rules.js';
import { durableLagCheckPeriod, SelfMonitor } from '../../../libs/pubsub/src/integration/self-monitor.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import { deferred, waitFor } from '../../support/channels.js';
import { RecordingLogger } from '../../support/integration-helpers.js';

const THRESHOLDS: AlertThresholds = {
  windowMs: 60_000,
  failedPublications: 100,
  handlerErrors: 100,
  dropped: 100,
  messagesPerSecond: 1_000_000,
  durableLagMs: 50,
};

function setup() {
  const channels = new ChannelSet({ nodeName: 'lag-node', logger: silentLogger });
  const clock = { now: 5_000_000 };
  const monitor = new SelfMonitor(channels, THRESHOLDS, new RecordingLogger(), () => clock.now);
  const alerts: { topic: string; payload: Record<string, any> }[] = [];
  channels.channel('alerts').subscribe('system_alerts:*', (m) => {
    alerts.push({ topic: m.topic, payload: m.payload as Record<string, any> });
  });
  const published = () => channels.channel('alerts').stats().published;
  return { channels, clock, monitor, alerts, published };
}

/** Real time passes: the memory backend ages messages by the wall clock. */
const olderThanThreshold = () => new Promise((resolve) => setTimeout(resolve, THRESHOLDS.durableLagMs! + 30));

describe('durable_lag self-monitoring', () => {
  it('alerts once per window and name while the oldest pending message is older than durableLagMs', async () => {
    const { channels, clock, monitor, alerts, published } = setup();
    const audit = channels.channel('audit');
    const release = deferred();
    audit.subscribe('user:*', () => release.promise, { durable: 'writer' });
    audit.publish('user:1', 'login', 'u1');
    await waitFor(() => audit.stats().pending === 1, 'the delivery');
    await olderThanThreshold();
    // Below a threshold (the default 60 s here), nothing.
    new SelfMonitor(channels, { ...THRESHOLDS, durableLagMs: undefined }, new RecordingLogger(), () => clock.now).checkDurableLag();
    expect(published()).toBe(0);
    monitor.checkDurableLag();
    monitor.checkDurableLag();
    expect(published()).toBe(1);
    await waitFor(() => alerts.length === 1, 'the alert');
    expect(alerts[0]).toMatchObject({
      topic: 'system_alerts:warning',
      payload: {
        severity: 'warning',
        category: 'performance',
        source: 'pubsub',
        title: expect.stringContaining("durable subscription 'writer'"),
        metadata: { rule: 'durable_lag', channel: 'audit', threshold: 50, durable: 'writer', pending: 1, backlog: 0 },
      },
    });
    expect(alerts[0].payload.metadata.count).toBeGreaterThanOrEqual(50);

    // Still lagging in the next window: reported again; once caught up, nothing more.
    clock.now += THRESHOLDS.windowMs;
    monitor.checkDurableLag();
    expect(published()).toBe(2);
    release.resolve();
    await waitFor(() => audit.stats().acked === 1, 'the acknowledgement');
    clock.now += THRESHOLDS.windowMs;
    monitor.checkDurableLag();
    expect(published()).toBe(2);
    channels.close();
  });

  it('counts the backlog of a name nobody runs, with the backlog in the metadata', async () => {
    const { channels, monitor, alerts } = setup();
    const audit = channels.channel('audit');
    audit.subscribe('user:*', () => undefined, { durable: 'reader' }).unsubscribe();
    for (let i = 0; i < 3; i++) audit.publish('user:1', 'login', i);
    await olderThanThreshold();
    monitor.checkDurableLag();
    await waitFor(() => alerts.length === 1, 'the alert');
    expect(alerts[0].payload.metadata).toMatchObject({ rule: 'durable_lag', channel: 'audit', durable: 'reader', backlog: 3, pending: 0 });
    channels.close();
  });

  it('runs on its own timer from start() to stop(), off the publish path', async () => {
    const { channels, monitor, published } = setup();
    const audit = channels.channel('audit');
    audit.subscribe('user:*', () => new Promise(() => undefined), { durable: 'stuck' });
    audit.publish('user:1', 'login', 'u1');
    monitor.start();
    await waitFor(() => published() === 1, 'the alert from the timer');
    monitor.stop();
    channels.close();
  });

  it('the check period is a quarter of the threshold, from 100 ms to 15 s; durableLagMs defaults to 60_000 and is validated', () => {
    expect(durableLagCheckPeriod(60_000)).toBe(15_000);
    expect(durableLagCheckPeriod(2_000)).toBe(500);
    expect(durableLagCheckPeriod(1)).toBe(100);
    expect(durableLagCheckPeriod(86_400_000)).toBe(15_000);
    expect(resolvePubSubSettings({}).alerting.durableLagMs).toBe(60_000);
    expect(resolvePubSubSettings({ alerting: { durableLagMs: 5_000 } }).alerting.durableLagMs).toBe(5_000);
    expect(() => resolvePubSubSettings({ alerting: { durableLagMs: 0 } })).toThrow(/alerting\.durableLagMs/);
    expect(() => resolvePubSubSettings({ alerting: { durableLagMs: 1.5 } })).toThrow(/alerting\.durableLagMs/);
  });
});
