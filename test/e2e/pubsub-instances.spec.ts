// Port of the original system's test/ex_esdb_gater/pubsub_instances_test.exs: the ten PubSub instances.
import { jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AlertsChannel,
  AuditChannel,
  CHANNEL_INSTANCES,
  CHANNEL_NAMES,
  Channel,
  DiagnosticsChannel,
  EventsChannel,
  getChannelToken,
  HealthChannel,
  LifecycleChannel,
  LoggingChannel,
  MetricsChannel,
  OnMetrics,
  PubSubManager,
  PubSubModule,
  SecurityChannel,
  SystemChannel,
  type ChannelName,
  type PubSubMessage,
} from '@gater/pubsub';
import { Inbox, startApp } from '../support/pubsub-app.js';

const CHANNEL_CLASSES = {
  events: EventsChannel,
  system: SystemChannel,
  logging: LoggingChannel,
  health: HealthChannel,
  metrics: MetricsChannel,
  security: SecurityChannel,
  audit: AuditChannel,
  alerts: AlertsChannel,
  diagnostics: DiagnosticsChannel,
  lifecycle: LifecycleChannel,
} as const;

describe('PubSub instances (port of pubsub_instances_test.exs)', () => {
  let app: TestingModule;
  let manager: PubSubManager;

  beforeEach(async () => {
    app = await startApp();
    manager = app.get(PubSubManager);
  });

  afterEach(async () => {
    await app.close();
  });

  describe('instance startup', () => {
    it('starts all ten instances, alive and distinct', () => {
      expect(CHANNEL_NAMES).toEqual([
        'events',
        'system',
        'logging',
        'health',
        'metrics',
        'security',
        'audit',
        'alerts',
        'diagnostics',
        'lifecycle',
      ]);
      const channels = manager.channels();
      expect(channels.map((c) => c.name)).toEqual([...CHANNEL_NAMES]);
      expect(channels.map((c) => c.instance)).toEqual(CHANNEL_NAMES.map((name) => CHANNEL_INSTANCES[name]));
      expect(new Set(channels).size).toBe(10);
      expect(new Set(channels.map((c) => c.instance)).size).toBe(10);
      for (const name of CHANNEL_NAMES) {
        const channel = manager.channel(name);
        expect(CHANNEL_INSTANCES[name]).toBe(`ex_esdb_${name}`);
        expect(channel).toBeInstanceOf(Channel);
        expect(channel).toBeInstanceOf(CHANNEL_CLASSES[name]);
        expect(app.get(CHANNEL_CLASSES[name])).toBe(channel);
        expect(app.get(getChannelToken(name))).toBe(channel);
        expect(channel.stats()).toMatchObject({ channel: name, instance: `ex_esdb_${name}`, lost: 0 });
      }
    });

    it('rejects unknown channel names', () => {
      expect(() => manager.channel('ex_esdb_events' as ChannelName)).toThrow(/unknown channel/);
      expect(() => getChannelToken('nope' as ChannelName)).toThrow(/unknown channel/);
    });
  });

  describe('instance isolation', () => {
    it('delivers the same topic subscribed on every channel exactly once per channel', async () => {
      const inboxes = new Map(CHANNEL_NAMES.map((name) => [name, new Inbox()]));
      for (const name of CHANNEL_NAMES) manager.channel(name).subscribe('test_topic', inboxes.get(name)!.handler);
      for (const name of CHANNEL_NAMES) expect(manager.channel(name).publish('test_topic', 'test_message', { from: name }).ok).toBe(true);
      expect(await manager.drain(2_000)).toBe(true);
      for (const name of CHANNEL_NAMES) {
        const messages = inboxes.get(name)!.messages;
        expect(messages).toHaveLength(1);
        expect(messages[0]).toMatchObject({ channel: name, topic: 'test_topic', type: 'test_message', payload: { from: name } });
      }
    });

    it('never lets a topic of one channel cross to another', async () => {
      const inboxes = new Map(CHANNEL_NAMES.map((name) => [name, new Inbox()]));
      for (const name of CHANNEL_NAMES) manager.channel(name).subscribe('*', inboxes.get(name)!.handler);
      manager.channel('health').publish('isolation_test', 'health_only');
      manager.channel('security').publish('isolation_test:deep', 'security_only');
      expect(await manager.drain(2_000)).toBe(true);
      for (const name of CHANNEL_NAMES) {
        const expected = name === 'health' ? ['health_only'] : name === 'security' ? ['security_only'] : [];
        expect(inboxes.get(name)!.messages.map((m) => m.type)).toEqual(expected);
      }
      expect(manager.channel('metrics').stats()).toMatchObject({ published: 0, delivered: 0 });
    });
  });

  describe('concurrent operations', () => {
    it('serves all ten channels used at once, each receiving only its own messages in order', async () => {
      const inboxes = new Map(CHANNEL_NAMES.map((name) => [name, new Inbox()]));
      for (const name of CHANNEL_NAMES) manager.channel(name).subscribe('concurrent:*', inboxes.get(name)!.handler);
      const PER_CHANNEL = 50;
      for (let i = 0; i < PER_CHANNEL; i++) {
        for (const name of CHANNEL_NAMES) manager.channel(name).publish(`concurrent:${name}`, 'concurrent_test', { name, i });
      }
      expect(await manager.drain(2_000)).toBe(true);
      for (const name of CHANNEL_NAMES) {
        const messages = inboxes.get(name)!.messages;
        expect(messages.every((m) => m.channel === name && (m.payload as { name: string }).name === name)).toBe(true);
        expect(messages.map((m) => (m.payload as { i: number }).i)).toEqual(Array.from({ length: PER_CHANNEL }, (_, i) => i));
      }
      expect(manager.stats().map((s) => s.delivered)).toEqual(CHANNEL_NAMES.map(() => PER_CHANNEL));
    });

    it('delivers 100 messages on metrics, all of them, in order', async () => {
      const inbox = new Inbox();
      manager.channel('metrics').subscribe('high_volume_test', inbox.handler);
      for (let i = 1; i <= 100; i++) manager.channel('metrics').publish('high_volume_test', 'metric', { index: i });
      await inbox.until(100);
      expect(inbox.messages.map((m) => (m.payload as { index: number }).index)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(manager.channel('metrics').stats()).toMatchObject({ published: 100, delivered: 100, dropped: 0, failedPublications: 0 });
    });
  });

  describe('usage patterns of the seeds', () => {
    const patterns: [ChannelName, string, string, string, Record<string, unknown>][] = [
      [
        'health',
        'subscription_health:*',
        'subscription_health:production_store:user_projection',
        'registration_success',
        { storeId: 'production_store', subscriptionName: 'user_projection' },
      ],
      [
        'metrics',
        'subscription_metrics:*',
        'subscription_metrics:production_store:user_projection',
        'registration_attempt',
        { processingTimeMs: 45 },
      ],
      [
        'security',
        'security_events:authentication',
        'security_events:authentication',
        'authentication_failure',
        { userId: 'suspicious_user', attemptCount: 5 },
      ],
      [
        'audit',
        'audit_trail:user_actions',
        'audit_trail:user_actions',
        'user_action',
        { userId: 'admin_user', action: 'delete_subscription' },
      ],
      [
        'alerts',
        'system_alerts:critical',
        'system_alerts:critical',
        'critical_alert',
        { message: 'Circuit breaker opened for multiple subscriptions' },
      ],
      [
        'lifecycle',
        'process_lifecycle:subscription_proxies',
        'process_lifecycle:subscription_proxies',
        'process_started',
        { processType: 'subscription_proxy' },
      ],
    ];

    it.each(patterns)('%s: %s receives %s', async (channel, pattern, topic, type, payload) => {
      const inbox = new Inbox();
      manager.channel(channel).subscribe(pattern, inbox.handler);
      const result = manager.channel(channel).publish(topic, type, payload);
      expect(result).toEqual({ ok: true, id: expect.any(String) });
      const [message] = await inbox.until(1);
      expect(message).toEqual({
        id: result.ok ? result.id : '',
        channel,
        topic,
        type,
        payload,
        timestamp: expect.any(Number),
        node: manager.nodeName,
      });
    });

    it('health: subscription_health:* reaches every store and subscription, but not the bare prefix or other topics', async () => {
      const inbox = new Inbox();
      manager.channel('health').subscribe('subscription_health:*', inbox.handler);
      const health = manager.channel('health');
      health.publish('subscription_health:store_a:sub_1', 'registration_success');
      health.publish('subscription_health:store_b', 'registration_success');
      health.publish('subscription_health', 'not_matched');
      health.publish('process_health:proxy', 'not_matched');
      expect(await manager.drain(1_000)).toBe(true);
      expect(inbox.messages.map((m) => m.topic)).toEqual(['subscription_health:store_a:sub_1', 'subscription_health:store_b']);
    });

    it('security and alerts: exact topics do not receive their siblings', async () => {
      const authentication = new Inbox();
      const critical = new Inbox();
      manager.channel('security').subscribe('security_events:authentication', authentication.handler);
      manager.channel('alerts').subscribe('system_alerts:critical', critical.handler);
      manager.channel('security').publish('security_events:authorization', 'authorization_failure');
      manager.channel('alerts').publish('system_alerts:warning', 'warning_alert');
      manager.channel('security').publish('security_events:authentication', 'authentication_failure');
      manager.channel('alerts').publish('system_alerts:critical', 'critical_alert');
      expect(await manager.drain(1_000)).toBe(true);
      expect(authentication.messages.map((m) => m.type)).toEqual(['authentication_failure']);
      expect(critical.messages.map((m) => m.type)).toEqual(['critical_alert']);
    });
  });

  describe('error handling and resilience', () => {
    it('a crashing subscriber leaves the bus working', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const before = new Inbox();
      const after = new Inbox();
      let crasherCalls = 0;
      const events = manager.channel('events');
      events.subscribe('crash_test', before.handler);
      events.subscribe('crash_test', () => {
        crasherCalls++;
        throw new Error('subscriber crashed');
      });
      events.subscribe('crash_test', after.handler);
      const results = [1, 2, 3].map((n) => events.publish('crash_test', 'crash_message', n));
      expect(results.every((r) => r.ok)).toBe(true);
      await before.until(3);
      await after.until(3);
      expect(await manager.drain(1_000)).toBe(true);
      // The crasher keeps receiving later messages.
      events.publish('crash_test', 'crash_message', 4);
      await after.until(4);
      expect(await manager.drain(1_000)).toBe(true);
      expect(crasherCalls).toBe(4);
      expect(before.messages.map((m) => m.payload)).toEqual([1, 2, 3, 4]);
      expect(events.stats()).toMatchObject({ published: 4, delivered: 8, handlerErrors: 4, subscriptions: 3 });
      // Another channel is untouched.
      const other = new Inbox();
      manager.channel('system').subscribe('after_crash', other.handler);
      manager.channel('system').publish('after_crash', 'still_working');
      await other.until(1);
      // Each failure is logged with its stack.
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('subscriber crashed'),
        expect.stringContaining('Error: subscriber crashed'),
      );
      logged.mockRestore();
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['an empty object', {}],
      ['an empty array', []],
      ['a string', 'just a string'],
      ['an empty string', ''],
      ['zero', 0],
      ['false', false],
      ['a nested structure', { a: [1, { b: null }], c: 'd' }],
    ])('delivers %s as payload verbatim', async (_label, payload) => {
      const inbox = new Inbox();
      manager.channel('events').subscribe('payload_test', inbox.handler);
      manager.channel('events').publish('payload_test', 'payload_message', payload);
      const [message] = await inbox.until(1);
      expect(message.payload).toEqual(payload);
      if (payload === null) expect(message.payload).toBeNull();
      if (typeof payload === 'object' && payload !== null) expect(message.payload).toBe(payload);
    });
  });

  describe('performance characteristics', () => {
    it('delivers one message in under 10 ms (after warm-up)', async () => {
      const metrics = manager.channel('metrics');
      let receivedAt = 0;
      metrics.subscribe('latency_test', () => {
        receivedAt = performance.now();
      });
      const once = async (): Promise<number> => {
        receivedAt = 0;
        const sentAt = performance.now();
        metrics.publish('latency_test', 'latency_message', { sentAt });
        while (receivedAt === 0) await new Promise((resolve) => setImmediate(resolve));
        return receivedAt - sentAt;
      };
      for (let i = 0; i < 20; i++) await once();
      const samples: number[] = [];
      for (let i = 0; i < 9; i++) samples.push(await once());
      samples.sort((a, b) => a - b);
      expect(samples[4]).toBeLessThan(10); // the median, so one GC pause cannot fail the test
    });

    it('serves ten subscribers in under 500 ms', async () => {
      const inboxes = Array.from({ length: 10 }, () => new Inbox());
      for (const inbox of inboxes) manager.channel('metrics').subscribe('multi_sub_test', inbox.handler);
      const started = performance.now();
      manager.channel('metrics').publish('multi_sub_test', 'multi_message', { n: 1 });
      await Promise.all(inboxes.map((inbox) => inbox.until(1)));
      expect(performance.now() - started).toBeLessThan(500);
      for (const inbox of inboxes) expect(inbox.messages).toHaveLength(1);
    });
  });
});

describe('PubSub instances across modules and applications', () => {
  @Injectable()
  class MetricsCounter {
    readonly received: PubSubMessage[] = [];
    constructor(readonly channel: MetricsChannel) {}

    @OnMetrics('shared:*')
    onMetric(message: PubSubMessage) {
      this.received.push(message);
    }
  }

  @Injectable()
  class ManagerUser {
    constructor(readonly manager: PubSubManager) {}
  }

  it('shares one set of channels between several modules importing PubSubModule.forRoot(), binding a handler once', async () => {
    @Module({ imports: [PubSubModule.forRoot({ integration: false })], providers: [MetricsCounter], exports: [MetricsCounter] })
    class FeatureA {}
    @Module({ imports: [PubSubModule.forRoot({ integration: false }), FeatureA], providers: [ManagerUser], exports: [ManagerUser] })
    class FeatureB {}
    @Module({ imports: [PubSubModule.forRoot({ integration: false, isGlobal: false }), FeatureA] })
    class FeatureC {}
    const app = await Test.createTestingModule({
      imports: [PubSubModule.forRoot({ integration: false }), FeatureA, FeatureB, FeatureC],
    }).compile();
    await app.init();
    try {
      const counter = app.get(MetricsCounter);
      const manager = app.get(ManagerUser).manager;
      expect(app.get(PubSubManager)).toBe(manager);
      expect(counter.channel).toBe(manager.channel('metrics'));
      expect(manager.channel('metrics').stats().subscriptions).toBe(1);
      counter.channel.publish('shared:1', 'shared_message');
      expect(await manager.drain(1_000)).toBe(true);
      expect(counter.received).toHaveLength(1);
      expect(manager.channel('metrics').stats().delivered).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('gives two applications in one process independent channels', async () => {
    const first = await startApp({ providers: [MetricsCounter] });
    const second = await startApp({ providers: [MetricsCounter] });
    let firstOpen = true;
    try {
      const a = first.get(MetricsCounter);
      const b = second.get(MetricsCounter);
      expect(a.channel).not.toBe(b.channel);
      expect(first.get(PubSubManager)).not.toBe(second.get(PubSubManager));
      a.channel.publish('shared:first', 'only_first');
      b.channel.publish('shared:second', 'only_second');
      b.channel.publish('shared:second', 'only_second');
      expect(await first.get(PubSubManager).drain(1_000)).toBe(true);
      expect(await second.get(PubSubManager).drain(1_000)).toBe(true);
      expect(a.received.map((m) => m.topic)).toEqual(['shared:first']);
      expect(b.received.map((m) => m.topic)).toEqual(['shared:second', 'shared:second']);
      expect(a.channel.stats()).toMatchObject({ published: 1, subscriptions: 1 });
      expect(b.channel.stats()).toMatchObject({ published: 2, subscriptions: 1 });
      // Closing one leaves the other working.
      await first.close();
      firstOpen = false;
      expect(a.channel.publish('shared:x', 't')).toMatchObject({ ok: false, reason: 'closed' });
      expect(b.channel.publish('shared:x', 't').ok).toBe(true);
      expect(await second.get(PubSubManager).drain(1_000)).toBe(true);
      expect(b.received).toHaveLength(3);
    } finally {
      if (firstOpen) await first.close();
      await second.close();
    }
  });
});
