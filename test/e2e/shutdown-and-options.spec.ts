import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MetricsChannel, OnMetrics, PubSubManager, PubSubModule, type PubSubMessage } from '@gater/pubsub';
import { Inbox, startApp } from '../support/pubsub-app.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('shutdown', () => {
  it('app.close() waits for pending deliveries', async () => {
    @Injectable()
    class SlowConsumer {
      readonly seen: number[] = [];
      @OnMetrics('backlog')
      async onMetric(message: PubSubMessage) {
        await nextTurn();
        this.seen.push(message.payload as number);
      }
    }
    const app = await startApp({ providers: [SlowConsumer] });
    const metrics = app.get(MetricsChannel);
    const consumer = app.get(SlowConsumer);
    for (let i = 0; i < 1_000; i++) expect(metrics.publish('backlog', 'backlog_item', i).ok).toBe(true);
    expect(consumer.seen.length).toBeLessThan(1_000);
    await app.close();
    expect(consumer.seen).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(metrics.stats()).toMatchObject({ published: 1_000, delivered: 1_000, mailboxDepth: 0 });
  });

  it('refuses publications after close with reason closed, and counts them', async () => {
    const app = await startApp();
    const manager = app.get(PubSubManager);
    await app.close();
    for (const channel of manager.channels()) {
      expect(channel.publish('after:close', 't', {})).toEqual({ ok: false, reason: 'closed', error: expect.any(String) });
      expect(channel.publish('after:close', { type: 't' })).toMatchObject({ ok: false, reason: 'closed' });
      expect(channel.stats()).toMatchObject({ failedPublications: 2 });
    }
    expect(await manager.drain(10)).toBe(true);
  });
});

describe('module options', () => {
  it('applies per-channel mailbox settings from channels: { metrics: { mailboxSize } }', async () => {
    const app = await startApp({
      options: { channels: { metrics: { mailboxSize: 3 }, health: { mailboxSize: 2, overflow: 'drop-newest' } } },
    });
    try {
      const manager = app.get(PubSubManager);
      const metrics = new Inbox();
      const metricsOverride = new Inbox();
      const health = new Inbox();
      const events = new Inbox();
      manager.channel('metrics').subscribe('m', metrics.handler);
      manager.channel('metrics').subscribe('m', metricsOverride.handler, { mailboxSize: 5 });
      manager.channel('health').subscribe('m', health.handler);
      manager.channel('events').subscribe('m', events.handler);
      for (let i = 1; i <= 10; i++) {
        for (const name of ['metrics', 'health', 'events'] as const) manager.channel(name).publish('m', 't', i);
      }
      expect(await manager.drain(1_000)).toBe(true);
      expect(metrics.messages.map((m) => m.payload)).toEqual([8, 9, 10]);
      expect(metricsOverride.messages.map((m) => m.payload)).toEqual([6, 7, 8, 9, 10]);
      expect(health.messages.map((m) => m.payload)).toEqual([1, 2]);
      expect(events.messages).toHaveLength(10);
      expect(manager.channel('metrics').stats().dropped).toBe(7 + 5);
      expect(manager.channel('health').stats().dropped).toBe(8);
    } finally {
      await app.close();
    }
  });

  it('fails start-up naming the option for an invalid channel setting', async () => {
    await expect(startApp({ options: { channels: { metrics: { mailboxSize: 0 } } } })).rejects.toThrow('channels.metrics.mailboxSize');
    await expect(startApp({ options: { channels: { nope: {} } as never } })).rejects.toThrow('channels.nope');
  });

  it('forRootAsync({ useFactory, inject, imports }) configures the module', async () => {
    @Injectable()
    class Config {
      readonly nodeName = 'async-node';
      readonly metricsMailbox = 2;
    }
    @Module({ providers: [Config], exports: [Config] })
    class ConfigModule {}
    @Injectable()
    class Consumer {
      readonly seen: unknown[] = [];
      @OnMetrics('async:*')
      onMetric(message: PubSubMessage) {
        this.seen.push(message.payload);
      }
    }
    const app = await Test.createTestingModule({
      imports: [
        PubSubModule.forRootAsync({
          imports: [ConfigModule],
          inject: [Config],
          useFactory: async (config: Config) => ({
            integration: false,
            nodeName: config.nodeName,
            channels: { metrics: { mailboxSize: config.metricsMailbox } },
          }),
        }),
      ],
      providers: [Consumer],
    }).compile();
    await app.init();
    try {
      const manager = app.get(PubSubManager);
      expect(manager.nodeName).toBe('async-node');
      expect(manager.nodes()).toEqual(['async-node']);
      const channel = app.get(MetricsChannel);
      expect(channel).toBe(manager.channel('metrics'));
      for (let i = 1; i <= 4; i++) channel.publish('async:x', 't', i);
      expect(await manager.drain(1_000)).toBe(true);
      expect(app.get(Consumer).seen).toEqual([3, 4]);
    } finally {
      await app.close();
    }
    expect(app.get(MetricsChannel).publish('async:x', 't')).toMatchObject({ ok: false, reason: 'closed' });
  });

  it('forRootAsync fails start-up with an error naming an invalid option', async () => {
    const compile = Test.createTestingModule({
      imports: [
        PubSubModule.forRootAsync({ useFactory: () => ({ integration: false, channels: { alerts: { overflow: 'drop-all' as never } } }) }),
      ],
    }).compile();
    await expect(compile).rejects.toThrow('channels.alerts.overflow');
  });
});
