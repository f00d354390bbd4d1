import { describe, expect, it } from '@jest/globals';
import { CHANNEL_NAMES } from '../../../libs/pubsub/src/channels/channel-names.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';

const NO_ENV = {};

describe('resolvePubSubSettings: options > environment > defaults', () => {
  it('uses the documented defaults with no options and no environment', () => {
    const settings = resolvePubSubSettings({}, NO_ENV);
    expect(settings).toMatchObject({
      integration: true,
      healthBroadcastInterval: 30_000,
      metricsBroadcastInterval: 60_000,
      secretKeys: [],
      transport: { type: 'memory' },
      messageMaxAgeMs: 300_000,
      heartbeatIntervalMs: 5_000,
      nodeTimeoutMs: 15_000,
      alerting: { windowMs: 60_000, failedPublications: 10, handlerErrors: 10, dropped: 1, messagesPerSecond: 10_000 },
    });
    expect(settings.nodeName).toEqual(expect.any(String));
    expect(settings.nodeName).not.toBe('');
    for (const name of CHANNEL_NAMES) expect(settings.channels[name]).toMatchObject({ mailboxSize: 10_000, overflow: 'drop-oldest' });
  });

  it('PUBSUB_INTEGRATION: env over default, option over env', () => {
    expect(resolvePubSubSettings({}, { PUBSUB_INTEGRATION: 'false' }).integration).toBe(false);
    expect(resolvePubSubSettings({}, { PUBSUB_INTEGRATION: 'TRUE' }).integration).toBe(true);
    expect(resolvePubSubSettings({}, { PUBSUB_INTEGRATION: '0' }).integration).toBe(false);
    expect(resolvePubSubSettings({ integration: true }, { PUBSUB_INTEGRATION: 'false' }).integration).toBe(true);
    expect(resolvePubSubSettings({ integration: false }, { PUBSUB_INTEGRATION: 'true' }).integration).toBe(false);
    // An option given as undefined is not given.
    expect(resolvePubSubSettings({ integration: undefined }, { PUBSUB_INTEGRATION: 'false' }).integration).toBe(false);
  });

  it('PUBSUB_HEALTH_BROADCAST_INTERVAL and PUBSUB_METRICS_BROADCAST_INTERVAL: env over default, option over env', () => {
    const env = { PUBSUB_HEALTH_BROADCAST_INTERVAL: '1500', PUBSUB_METRICS_BROADCAST_INTERVAL: ' 2500 ' };
    expect(resolvePubSubSettings({}, env)).toMatchObject({ healthBroadcastInterval: 1_500, metricsBroadcastInterval: 2_500 });
    expect(resolvePubSubSettings({ healthBroadcastInterval: 10, metricsBroadcastInterval: 20 }, env)).toMatchObject({
      healthBroadcastInterval: 10,
      metricsBroadcastInterval: 20,
    });
    expect(resolvePubSubSettings({ healthBroadcastInterval: 10 }, env)).toMatchObject({
      healthBroadcastInterval: 10,
      metricsBroadcastInterval: 2_500,
    });
    // An empty variable counts as unset.
    expect(resolvePubSubSettings({}, { PUBSUB_HEALTH_BROADCAST_INTERVAL: '' }).healthBroadcastInterval).toBe(30_000);
  });

  it('SECRET_KEY_BASE: env over default, option (string or list) over env', () => {
    expect(resolvePubSubSettings({}, { SECRET_KEY_BASE: 'from-env' }).secretKeys).toEqual(['from-env']);
    expect(resolvePubSubSettings({ secretKeyBase: 'opt' }, { SECRET_KEY_BASE: 'from-env' }).secretKeys).toEqual(['opt']);
    expect(resolvePubSubSettings({ secretKeyBase: ['new', 'old'] }, { SECRET_KEY_BASE: 'from-env' }).secretKeys).toEqual(['new', 'old']);
    expect(resolvePubSubSettings({}, NO_ENV).secretKeys).toEqual([]);
  });

  it('PUBSUB_REDIS_URL selects the Redis transport only when no transport option is given', () => {
    const env = { PUBSUB_REDIS_URL: 'redis://cache:6379/2' };
    expect(resolvePubSubSettings({}, env).transport).toMatchObject({ type: 'redis', url: 'redis://cache:6379/2', prefix: 'gater:pubsub' });
    expect(resolvePubSubSettings({ transport: { type: 'memory' } }, env).transport).toMatchObject({ type: 'memory' });
    expect(resolvePubSubSettings({ transport: { type: 'redis', url: 'redis://other:1' } }, env).transport).toMatchObject({
      type: 'redis',
      url: 'redis://other:1',
    });
    expect(resolvePubSubSettings({}, NO_ENV).transport).toMatchObject({ type: 'memory' });
  });

  it('merges partial channel and alerting options with the defaults', () => {
    const settings = resolvePubSubSettings(
      { channels: { metrics: { mailboxSize: 5 }, alerts: { overflow: 'drop-newest' } }, alerting: { dropped: 3, windowMs: undefined } },
      NO_ENV,
    );
    expect(settings.channels.metrics).toMatchObject({ mailboxSize: 5, overflow: 'drop-oldest' });
    expect(settings.channels.alerts).toMatchObject({ mailboxSize: 10_000, overflow: 'drop-newest' });
    expect(settings.alerting).toMatchObject({ dropped: 3, windowMs: 60_000, handlerErrors: 10 });
  });
});

describe('resolvePubSubSettings: the Redis url', () => {
  it("{ type: 'redis' } without a url takes PUBSUB_REDIS_URL; an explicit url wins", () => {
    const env = { PUBSUB_REDIS_URL: 'redis://127.0.0.1:7000' };
    expect(resolvePubSubSettings({ transport: { type: 'redis' } }, env).transport.url).toBe('redis://127.0.0.1:7000');
    expect(resolvePubSubSettings({ transport: { type: 'redis', url: 'redis://h:1' } }, env).transport.url).toBe('redis://h:1');
    expect(resolvePubSubSettings({ transport: { type: 'memory' } }, env).transport.type).toBe('memory');
  });
});

describe('resolvePubSubSettings: invalid values name the option or variable', () => {
  const rejects = (options: object, env: Record<string, string>, ...names: string[]) => {
    let message = '';
    try {
      resolvePubSubSettings(options as never, env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    for (const name of names) expect(message).toContain(name);
    return message;
  };

  it.each([
    ['PUBSUB_HEALTH_BROADCAST_INTERVAL', 'abc'],
    ['PUBSUB_HEALTH_BROADCAST_INTERVAL', '-5'],
    ['PUBSUB_HEALTH_BROADCAST_INTERVAL', '0'],
    ['PUBSUB_HEALTH_BROADCAST_INTERVAL', '1.5'],
    ['PUBSUB_HEALTH_BROADCAST_INTERVAL', '99999999999'],
    ['PUBSUB_METRICS_BROADCAST_INTERVAL', '10s'],
    ['PUBSUB_INTEGRATION', 'maybe'],
  ])('%s=%s', (variable, value) => {
    rejects({}, { [variable]: value }, variable);
  });

  it('an invalid variable is ignored when the option overrides it', () => {
    expect(() => resolvePubSubSettings({ healthBroadcastInterval: 100 }, { PUBSUB_HEALTH_BROADCAST_INTERVAL: 'abc' })).not.toThrow();
    expect(() => resolvePubSubSettings({ integration: true }, { PUBSUB_INTEGRATION: 'maybe' })).not.toThrow();
  });

  it.each([
    [{ healthBroadcastInterval: -1 }, 'healthBroadcastInterval'],
    [{ healthBroadcastInterval: 0 }, 'healthBroadcastInterval'],
    [{ healthBroadcastInterval: 1.5 }, 'healthBroadcastInterval'],
    [{ healthBroadcastInterval: Number.NaN }, 'healthBroadcastInterval'],
    [{ metricsBroadcastInterval: -100 }, 'metricsBroadcastInterval'],
    [{ metricsBroadcastInterval: '100' }, 'metricsBroadcastInterval'],
    [{ integration: 'yes' }, 'integration'],
    [{ nodeName: '' }, 'nodeName'],
    [{ secretKeyBase: [42] }, 'secretKeyBase'],
    [{ channels: { metrics: { mailboxSize: 0 } } }, 'channels.metrics.mailboxSize'],
    [{ channels: { metrics: { mailboxSize: 2.5 } } }, 'channels.metrics.mailboxSize'],
    [{ channels: { alerts: { overflow: 'drop-all' } } }, 'channels.alerts.overflow'],
    [{ channels: { nope: {} } }, 'channels.nope'],
    [{ transport: { type: 'kafka' } }, 'transport.type'],
    [{ alerting: { dropped: 0 } }, 'alerting.dropped'],
    [{ alerting: { windowMs: -1 } }, 'alerting.windowMs'],
    [{ messageMaxAgeMs: 0 }, 'messageMaxAgeMs'],
    [{ heartbeatIntervalMs: 5_000, nodeTimeoutMs: 5_000 }, 'nodeTimeoutMs'],
  ])('option %j names %s', (options, name) => {
    rejects(options, {}, name);
  });

  it('an interval that came from the environment is reported under the variable name, not the option', () => {
    const message = rejects({}, { PUBSUB_METRICS_BROADCAST_INTERVAL: '0' }, 'PUBSUB_METRICS_BROADCAST_INTERVAL');
    expect(message).toMatch(/configuration: PUBSUB_METRICS_BROADCAST_INTERVAL is invalid \(got 0\)/);
  });

  it('reports every problem at once', () => {
    rejects({ healthBroadcastInterval: -1, metricsBroadcastInterval: -1 }, {}, 'healthBroadcastInterval', 'metricsBroadcastInterval');
  });
});
