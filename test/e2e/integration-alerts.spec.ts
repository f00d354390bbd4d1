import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { AlertMessages, OnAlerts, PubSubManager, type PubSubMessage, type PubSubModuleOptions } from '@gater/pubsub';
import { startApp } from '../support/pubsub-app.js';
import { sleep, waitFor } from '../support/integration-helpers.js';

@Injectable()
class AlertWatcher {
  readonly seen: PubSubMessage[] = [];
  @OnAlerts('system_alerts:*', { mailboxSize: 100_000 })
  onAlert(message: PubSubMessage) {
    this.seen.push(message);
  }
  metadata() {
    return this.seen.map((m) => (m.payload as { metadata: Record<string, unknown> }).metadata);
  }
}

// Broadcasters off (integration: false), so nothing here can come from a periodic tick.
const ALERTING: PubSubModuleOptions = {
  integration: false,
  nodeName: 'alerting-node',
  alerting: { windowMs: 60_000, failedPublications: 3, handlerErrors: 2, dropped: 1, messagesPerSecond: 50 },
};

let app: TestingModule | undefined;
let manager: PubSubManager;
let watcher: AlertWatcher;

async function start(options: PubSubModuleOptions = ALERTING) {
  app = await startApp({ options, providers: [AlertWatcher] });
  manager = app.get(PubSubManager);
  watcher = app.get(AlertWatcher);
}

/** Alerts published so far, counted synchronously at publish time. */
const alertsPublished = () => manager.channel('alerts').stats().published;

beforeEach(() => {
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  jest.restoreAllMocks();
});

describe('self-monitoring alerts', () => {
  it('failed publications: one warning the moment the threshold is crossed, none after in the window', async () => {
    await start();
    const events = manager.channel('events');
    events.publish('bad topic', 'x');
    events.publish('bad topic', 'x');
    expect(alertsPublished()).toBe(0);
    events.publish('bad topic', 'x');
    expect(alertsPublished()).toBe(1);
    for (let i = 0; i < 30; i++) events.publish('bad topic', 'x');
    expect(alertsPublished()).toBe(1);
    await manager.drain(1_000);
    expect(watcher.seen).toHaveLength(1);
    expect(watcher.seen[0]).toMatchObject({
      channel: 'alerts',
      topic: 'system_alerts:warning',
      type: 'system_alert',
      payload: {
        severity: 'warning',
        source: 'pubsub',
        node: 'alerting-node',
        metadata: { rule: 'failed_publications', channel: 'events', count: 3, threshold: 3 },
      },
    });
  });

  it('handler errors: one warning per channel', async () => {
    await start();
    for (const name of ['events', 'audit'] as const) {
      manager.channel(name).subscribe('work', () => {
        throw new Error(`${name} handler failure`);
      });
      for (let i = 0; i < 5; i++) manager.channel(name).publish('work', 'job', i);
    }
    await manager.drain(1_000);
    expect(watcher.seen.map((m) => m.topic)).toEqual(['system_alerts:warning', 'system_alerts:warning']);
    expect(watcher.metadata().sort((a, b) => String(a.channel).localeCompare(String(b.channel)))).toEqual([
      { rule: 'handler_errors', channel: 'audit', count: 2, threshold: 2 },
      { rule: 'handler_errors', channel: 'events', count: 2, threshold: 2 },
    ]);
  });

  it('drops: one critical alert at once', async () => {
    await start();
    const metrics = manager.channel('metrics');
    metrics.subscribe('m', () => undefined, { mailboxSize: 1 });
    metrics.publish('m', 'x');
    expect(alertsPublished()).toBe(0);
    metrics.publish('m', 'x');
    expect(alertsPublished()).toBe(1);
    for (let i = 0; i < 10; i++) metrics.publish('m', 'x');
    expect(alertsPublished()).toBe(1);
    await manager.drain(1_000);
    expect(watcher.seen).toEqual([
      expect.objectContaining({
        topic: 'system_alerts:critical',
        payload: expect.objectContaining({
          severity: 'critical',
          source: 'pubsub',
          metadata: { rule: 'dropped', channel: 'metrics', count: 1, threshold: 1 },
        }),
      }),
    ]);
  });

  it('high volume: one warning when a channel reaches messagesPerSecond', async () => {
    await start();
    const logging = manager.channel('logging');
    for (let i = 0; i < 49; i++) logging.publish('app', 'log', i);
    expect(alertsPublished()).toBe(0);
    logging.publish('app', 'log');
    expect(alertsPublished()).toBe(1);
    for (let i = 0; i < 200; i++) logging.publish('app', 'log', i);
    expect(alertsPublished()).toBe(1);
    await manager.drain(1_000);
    expect(watcher.seen[0]).toMatchObject({
      topic: 'system_alerts:warning',
      payload: {
        source: 'pubsub',
        category: 'performance',
        metadata: { rule: 'high_volume', channel: 'logging', count: 50, threshold: 50 },
      },
    });
  });

  it('a new window allows a new alert', async () => {
    await start({ ...ALERTING, alerting: { ...ALERTING.alerting, windowMs: 40 } });
    const events = manager.channel('events');
    const fail = (n: number) => {
      for (let i = 0; i < n; i++) events.publish('bad topic', 'x');
    };
    fail(3);
    fail(3);
    expect(alertsPublished()).toBe(1);
    await sleep(50);
    fail(2);
    expect(alertsPublished()).toBe(1);
    fail(1);
    expect(alertsPublished()).toBe(2);
    await waitFor(() => watcher.seen.length === 2, 'both alerts delivered');
    expect(watcher.metadata()).toEqual([
      { rule: 'failed_publications', channel: 'events', count: 3, threshold: 3 },
      { rule: 'failed_publications', channel: 'events', count: 3, threshold: 3 },
    ]);
  });

  it('an alerts channel flooded into a tiny mailbox raises its own alerts once, without looping', async () => {
    await start({ ...ALERTING, channels: { alerts: { mailboxSize: 1 } } });
    const alerts = manager.channel('alerts');
    // A slow subscriber with the channel's tiny mailbox: every alert about its drops is dropped in turn.
    alerts.subscribe('*', async () => void (await sleep(5)));
    for (let i = 0; i < 500; i++) alerts.publish('flood', 'noise', i);
    const published = alertsPublished();
    expect(published - 500).toBe(2);
    await manager.drain(3_000);
    expect(
      watcher
        .metadata()
        .map((m) => `${m.rule}:${m.channel}`)
        .sort(),
    ).toEqual(['dropped:alerts', 'high_volume:alerts']);
    expect(alertsPublished()).toBe(published);
  });

  it('alert publications that keep failing on the alerts channel are alerted once, without looping', async () => {
    await start({ ...ALERTING, alerting: { ...ALERTING.alerting, failedPublications: 1 } });
    const alerts = manager.channel('alerts');
    // Invalid catalogue alerts are refused: failed publications on the alerts channel itself.
    for (let i = 0; i < 100; i++)
      expect(alerts.publish('system_alerts:warning', AlertMessages.systemAlert({ severity: 'loud' } as never)).ok).toBe(false);
    expect(alerts.stats().failedPublications).toBe(100);
    expect(alertsPublished()).toBe(1);
    await manager.drain(1_000);
    expect(watcher.metadata()).toEqual([{ rule: 'failed_publications', channel: 'alerts', count: 1, threshold: 1 }]);
  });
});
