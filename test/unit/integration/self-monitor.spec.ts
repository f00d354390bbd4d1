import { describe, expect, it, jest } from '@jest/globals';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { AlertRules, type AlertThresholds } from '../../../libs/pubsub/src/integration/alert-rules.js';
import { SelfMonitor } from '../../../libs/pubsub/src/integration/self-monitor.js';
import { CATALOGUE_HOOKS, validateCatalogueMessage } from '../../../libs/pubsub/src/messages/catalogue.js';
import { RecordingLogger } from '../../support/integration-helpers.js';

const THRESHOLDS: AlertThresholds = { windowMs: 60_000, failedPublications: 2, handlerErrors: 2, dropped: 1, messagesPerSecond: 1_000_000 };

function setup(thresholds: Partial<AlertThresholds> = {}, validate = CATALOGUE_HOOKS.validate) {
  const channels = new ChannelSet({ nodeName: 'monitor-node', logger: silentLogger, wiring: { ...CATALOGUE_HOOKS, validate } });
  const clock = { now: 5_000_000 };
  const logger = new RecordingLogger();
  const monitor = new SelfMonitor(channels, { ...THRESHOLDS, ...thresholds }, logger, () => clock.now);
  monitor.start();
  // Counted synchronously at publish time, so no delivery has to happen to see the alert.
  const alerts: { topic: string; payload: Record<string, any> }[] = [];
  const alertsChannel = channels.channel('alerts');
  const original = alertsChannel.publish.bind(alertsChannel);
  alertsChannel.publish = ((topic: string, message: { type: string; payload: Record<string, any> }) => {
    const result = original(topic, message);
    if (message?.type === 'system_alert' && result.ok) alerts.push({ topic, payload: message.payload });
    return result;
  }) as never;
  return { channels, clock, logger, monitor, alerts };
}

describe('SelfMonitor', () => {
  it('raises one system_alert per rule and channel per window, synchronously, with the documented shape', () => {
    const { channels, alerts } = setup();
    const events = channels.channel('events');
    events.publish('ok', 'a', 1);
    expect(alerts).toEqual([]);
    events.publish('bad topic', 'a', 1);
    expect(alerts).toEqual([]);
    events.publish('bad topic', 'a', 1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].topic).toBe('system_alerts:warning');
    expect(alerts[0].payload).toMatchObject({
      severity: 'warning',
      category: 'system',
      title: expect.stringContaining("'events'"),
      source: 'pubsub',
      metadata: { rule: 'failed_publications', channel: 'events', count: 2, threshold: 2 },
    });
    for (let i = 0; i < 20; i++) events.publish('bad topic', 'a', 1);
    expect(alerts).toHaveLength(1);
    channels.channel('metrics').publish('bad topic', 'a', 1);
    channels.channel('metrics').publish('bad topic', 'a', 1);
    expect(alerts.map((a) => a.payload.metadata)).toEqual([
      { rule: 'failed_publications', channel: 'events', count: 2, threshold: 2 },
      { rule: 'failed_publications', channel: 'metrics', count: 2, threshold: 2 },
    ]);
  });

  it('a new window allows a new alert', () => {
    const { channels, clock, alerts } = setup();
    const events = channels.channel('events');
    events.publish('bad topic', 'a');
    events.publish('bad topic', 'a');
    expect(alerts).toHaveLength(1);
    clock.now += 59_999;
    events.publish('bad topic', 'a');
    events.publish('bad topic', 'a');
    expect(alerts).toHaveLength(1);
    clock.now += 1;
    events.publish('bad topic', 'a');
    events.publish('bad topic', 'a');
    expect(alerts).toHaveLength(2);
  });

  it('drops are critical, on system_alerts:critical', () => {
    const { channels, alerts } = setup();
    const events = channels.channel('events');
    events.subscribe('t', () => undefined, { mailboxSize: 1 });
    events.publish('t', 'a');
    expect(alerts).toEqual([]);
    events.publish('t', 'a');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      topic: 'system_alerts:critical',
      payload: {
        severity: 'critical',
        source: 'pubsub',
        requiresAck: true,
        metadata: { rule: 'dropped', channel: 'events', count: 1, threshold: 1 },
      },
    });
  });

  it('alerts about the alerts channel itself do not loop: failing alert publications', () => {
    // Every system_alert publication is refused, as if the alerts channel were broken.
    const validate = CATALOGUE_HOOKS.validate;
    let refusedAlerts = 0;
    const { channels, logger } = setup({ failedPublications: 1 }, (channel, type, payload) => {
      if (channel === 'alerts' && type === 'system_alert') {
        refusedAlerts++;
        return 'alerts are broken';
      }
      return validate(channel, type, payload);
    });
    channels.channel('events').publish('bad topic', 'a');
    // The events alert is refused; that refusal is a failed publication on alerts, whose alert is refused once more.
    expect(refusedAlerts).toBe(2);
    for (let i = 0; i < 100; i++) channels.channel('alerts').publish('bad topic', 'a');
    expect(refusedAlerts).toBe(2);
    expect(logger.errors).toHaveLength(2);
    expect(channels.channel('alerts').stats().failedPublications).toBe(102);
  });

  it('alerts about the alerts channel itself do not loop: a flooded alerts subscriber', async () => {
    const { channels, alerts } = setup({ dropped: 1, messagesPerSecond: 5 });
    const alertsChannel = channels.channel('alerts');
    alertsChannel.subscribe('*', () => undefined, { mailboxSize: 1, overflow: 'drop-newest' });
    for (let i = 0; i < 200; i++) alertsChannel.publish('flood', 'noise', i);
    // dropped + high_volume on alerts, and nothing more, however many alerts those alerts drop.
    expect(alerts.map((a) => `${a.payload.metadata.rule}:${a.payload.metadata.channel}`).sort()).toEqual([
      'dropped:alerts',
      'high_volume:alerts',
    ]);
    expect(await channels.drain(1_000)).toBe(true);
  });

  it('stop() detaches it from the counters', () => {
    const { channels, monitor, alerts } = setup({ failedPublications: 1 });
    monitor.stop();
    channels.channel('events').publish('bad topic', 'a');
    expect(alerts).toEqual([]);
  });

  it('transport alerts: once per rule and window, with rule/channel/count/threshold metadata', () => {
    const { monitor, alerts, clock } = setup();
    const down = { rule: 'transport_down' as const, severity: 'critical' as const, title: 'Redis down', details: { url: 'redis://x' } };
    monitor.raiseTransportAlert(down);
    monitor.raiseTransportAlert(down);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      topic: 'system_alerts:critical',
      payload: {
        category: 'network',
        source: 'pubsub',
        metadata: { rule: 'transport_down', channel: 'system', count: 1, threshold: 1, url: 'redis://x' },
      },
    });
    clock.now += 60_000;
    monitor.raiseTransportAlert(down);
    expect(alerts).toHaveLength(2);
  });

  it('delivered alerts are valid catalogue messages', async () => {
    const { channels } = setup({ handlerErrors: 1 });
    const seen: PubSubMessage[] = [];
    channels.channel('alerts').subscribe('system_alerts:*', (m) => void seen.push(m));
    channels.channel('events').subscribe('t', () => {
      throw new Error('handler failure');
    });
    channels.channel('events').publish('t', 'a');
    expect(await channels.drain(1_000)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ channel: 'alerts', topic: 'system_alerts:warning', type: 'system_alert' });
    expect(validateCatalogueMessage('alerts', 'system_alert', seen[0].payload)).toBeUndefined();
    expect(seen[0].payload).toMatchObject({ metadata: { rule: 'handler_errors', channel: 'events', count: 1, threshold: 1 } });
  });

  it('publications cost no clock read and no rule look-up each, below and above messagesPerSecond', () => {
    const channels = new ChannelSet({ nodeName: 'monitor-node', logger: silentLogger });
    const clock = { now: 5_000_000, reads: 0 };
    const read = (): number => {
      clock.reads++;
      return clock.now;
    };
    const monitor = new SelfMonitor(channels, { ...THRESHOLDS, messagesPerSecond: 1_000 }, new RecordingLogger(), read);
    const observe = jest.spyOn(AlertRules.prototype, 'observe');
    try {
      monitor.start();
      const events = channels.channel('events');
      const alertsPublished = () => channels.channel('alerts').stats().published;
      const publish = (n: number) => {
        for (let i = 0; i < n; i++) events.publish('busy:topic', 'tick');
      };
      publish(999);
      expect(alertsPublished()).toBe(0);
      publish(1); // the 1,000th in one second: alerted at once, not some publications later
      expect(alertsPublished()).toBe(1);
      publish(20_000); // far above the threshold, within the window: no second alert, and no per-publication cost
      expect(alertsPublished()).toBe(1);
      expect(events.stats().published).toBe(21_000);
      expect(clock.reads).toBeLessThanOrEqual(21_000 / 32);
      expect(observe.mock.calls.length).toBeLessThanOrEqual(21_000 / 32);
      clock.now += THRESHOLDS.windowMs;
      publish(1_000);
      expect(alertsPublished()).toBe(2);
    } finally {
      observe.mockRestore();
      monitor.stop();
    }
  });
});
