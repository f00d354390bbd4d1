import { beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { CHANNEL_NAMES, type ChannelName } from '../../../libs/pubsub/src/channels/channel-names.js';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { PubSubConfigService } from '../../../libs/pubsub/src/integration/pubsub-config.service.js';
import { PubSubIntegration } from '../../../libs/pubsub/src/integration/pubsub-integration.js';
import { CATALOGUE_HOOKS } from '../../../libs/pubsub/src/messages/catalogue.js';
import { RecordingLogger } from '../../support/integration-helpers.js';
import { anyValue } from '../../support/arbitraries.js';

const NODE = 'integration-node';
const HEX16 = /^[0-9a-f]{16}$/;

interface Fixture {
  channels: ChannelSet;
  config: PubSubConfigService;
  logger: RecordingLogger;
  integration: PubSubIntegration;
  seen: PubSubMessage[];
}

function fixture(): Fixture {
  const channels = new ChannelSet({ nodeName: NODE, logger: silentLogger, wiring: CATALOGUE_HOOKS });
  const config = new PubSubConfigService({ integration: true, healthBroadcastInterval: 1_000, metricsBroadcastInterval: 1_000 });
  const logger = new RecordingLogger();
  const seen: PubSubMessage[] = [];
  for (const name of CHANNEL_NAMES) channels.channel(name).subscribe('*', (message) => void seen.push(message));
  return { channels, config, logger, integration: new PubSubIntegration(channels, config, logger), seen };
}

/** Asserts the message and that its payload has exactly these keys and values. */
function expectMessage(
  message: PubSubMessage | undefined,
  channel: ChannelName,
  topic: string,
  type: string,
  payload: Record<string, unknown>,
) {
  expect(message).toBeDefined();
  expect({ channel: message!.channel, topic: message!.topic, type: message!.type }).toEqual({ channel, topic, type });
  const actual = message!.payload as Record<string, unknown>;
  expect(actual).toEqual({ ...payload, timestamp: expect.any(Number) });
  expect(Object.keys(actual).sort()).toEqual([...Object.keys(payload), 'timestamp'].sort());
}

/** Calls `send`, expects it to succeed, and returns the one message it caused. */
async function only(f: Fixture, send: () => { ok: boolean }): Promise<PubSubMessage> {
  f.seen.length = 0;
  const result = send();
  expect(result).toEqual({ ok: true, id: expect.any(String) });
  expect(await f.channels.drain(1_000)).toBe(true);
  expect(f.seen).toHaveLength(1);
  expect(f.logger.warnings).toEqual([]);
  return f.seen[0];
}

describe('PubSubIntegration sends the catalogue payloads', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });

  it('broadcastSystemLifecycle: SystemLifecycle on system/lifecycle', async () => {
    const m = await only(f, () => f.integration.broadcastSystemLifecycle('started', 'exesdb', '1.2.3'));
    expectMessage(m, 'system', 'lifecycle', 'system_lifecycle_event', {
      event: 'started',
      systemName: 'exesdb',
      version: '1.2.3',
      node: NODE,
    });
  });

  it('broadcastSystemConfig: SystemConfig on system/config, or opts.topic', async () => {
    let m = await only(f, () => f.integration.broadcastSystemConfig('store', { poolSize: 10 }));
    expectMessage(m, 'system', 'config', 'system_config_changed', {
      component: 'store',
      changes: { poolSize: 10 },
      previousConfig: null,
      changedBy: 'system',
      node: NODE,
    });
    m = await only(f, () =>
      f.integration.broadcastSystemConfig(
        'store',
        { poolSize: 10 },
        { topic: 'features', previousConfig: { poolSize: 5 }, changedBy: 'admin' },
      ),
    );
    expectMessage(m, 'system', 'features', 'system_config_changed', {
      component: 'store',
      changes: { poolSize: 10 },
      previousConfig: { poolSize: 5 },
      changedBy: 'admin',
      node: NODE,
    });
  });

  it('broadcastHealthUpdate: ComponentHealth on health/component_health, keeping every detail', async () => {
    const details = { latencyMs: 3, nested: { ok: true }, list: [1, 2], nothing: null };
    let m = await only(f, () => f.integration.broadcastHealthUpdate('database', 'degraded', details));
    expectMessage(m, 'health', 'component_health', 'component_health_updated', {
      component: 'database',
      node: NODE,
      status: 'degraded',
      details,
      lastCheck: null,
    });
    m = await only(f, () => f.integration.broadcastHealthUpdate('database', 'healthy'));
    expectMessage(m, 'health', 'component_health', 'component_health_updated', {
      component: 'database',
      node: NODE,
      status: 'healthy',
      details: {},
      lastCheck: null,
    });
  });

  it('broadcastStoreHealth: ComponentHealth on health/<storeId>:health with every detail plus storeId', async () => {
    let m = await only(f, () =>
      f.integration.broadcastStoreHealth('production_store', 'projection', 'unhealthy', { lag: 500, shard: 'a' }),
    );
    expectMessage(m, 'health', 'production_store:health', 'component_health_updated', {
      component: 'projection',
      node: NODE,
      status: 'unhealthy',
      details: { lag: 500, shard: 'a', storeId: 'production_store' },
      lastCheck: null,
    });
    m = await only(f, () => f.integration.broadcastStoreHealth('s1', 'projection', 'unknown'));
    expectMessage(m, 'health', 's1:health', 'component_health_updated', {
      component: 'projection',
      node: NODE,
      status: 'unknown',
      details: { storeId: 's1' },
      lastCheck: null,
    });
  });

  it.each([
    [['a', 'b', 'c'], [], 'healthy', 'available'],
    [['a', 'b'], ['c'], 'degraded', 'available'],
    [['a', 'b', 'c'], ['d', 'e'], 'degraded', 'available'],
    [['a'], ['b'], 'unhealthy', 'lost'],
    [['a'], ['b', 'c'], 'unhealthy', 'lost'],
    [[], ['a'], 'unhealthy', 'lost'],
    [[], [], 'unknown', 'lost'],
  ])('broadcastClusterHealth(%j, %j): %s, quorum %s', async (connected, disconnected, status, quorumStatus) => {
    const m = await only(f, () => f.integration.broadcastClusterHealth(connected, disconnected, 'node_left'));
    expectMessage(m, 'health', 'cluster:health', 'cluster_health_updated', {
      status,
      healthyNodes: connected.length,
      totalNodes: connected.length + disconnected.length,
      degradedNodes: [],
      unhealthyNodes: disconnected,
      quorumStatus,
      event: 'node_left',
    });
  });

  it("broadcastMetrics('persistence'): PerformanceMetric persistence_operation", async () => {
    const m = await only(f, () =>
      f.integration.broadcastMetrics('persistence', {
        operationsCount: 12,
        storesCount: 2,
        durationMs: 40,
        successCount: 11,
        errorCount: 1,
      }),
    );
    expectMessage(m, 'metrics', 'persistence', 'performance_metric', {
      metricName: 'persistence_operation',
      value: 12,
      unit: 'operations',
      node: NODE,
      component: 'persistence',
      tags: { storesCount: 2, durationMs: 40, successCount: 11, errorCount: 1 },
    });
  });

  it("broadcastMetrics('emitter'): ThroughputMetric event_emission, durationMs defaulting to 1000", async () => {
    let m = await only(f, () => f.integration.broadcastMetrics('emitter', { eventsEmitted: 500, durationMs: 2_000 }));
    expectMessage(m, 'metrics', 'emitter', 'throughput_metric', {
      operation: 'event_emission',
      count: 500,
      durationMs: 2_000,
      ratePerSec: 250,
      node: NODE,
    });
    m = await only(f, () => f.integration.broadcastMetrics('emitter', { eventsEmitted: 70 }));
    expectMessage(m, 'metrics', 'emitter', 'throughput_metric', {
      operation: 'event_emission',
      count: 70,
      durationMs: 1_000,
      ratePerSec: 70,
      node: NODE,
    });
  });

  it('broadcastMetrics(other): PerformanceMetric named after the component, tags = the metrics', async () => {
    let m = await only(f, () => f.integration.broadcastMetrics('cache', { value: 0.93, unit: 'ratio', hits: 93 }));
    expectMessage(m, 'metrics', 'cache', 'performance_metric', {
      metricName: 'cache',
      value: 0.93,
      unit: 'ratio',
      node: NODE,
      component: 'cache',
      tags: { value: 0.93, unit: 'ratio', hits: 93 },
    });
    m = await only(f, () => f.integration.broadcastMetrics('queue:depth', { hits: 3 }));
    expectMessage(m, 'metrics', 'queue:depth', 'performance_metric', {
      metricName: 'queue:depth',
      value: 0,
      unit: 'count',
      node: NODE,
      component: 'queue:depth',
      tags: { hits: 3 },
    });
  });

  it('broadcastAlert: SystemAlert on alerts/<alertType>', async () => {
    const context = { category: 'performance', description: 'Disk almost full on /var', mount: '/var' };
    let m = await only(f, () => f.integration.broadcastAlert('disk_space', 'warning', 'Disk 90% full', context));
    expectMessage(m, 'alerts', 'disk_space', 'system_alert', {
      alertId: expect.stringMatching(HEX16),
      severity: 'warning',
      category: 'performance',
      title: 'Disk 90% full',
      description: 'Disk almost full on /var',
      source: 'disk_space',
      node: NODE,
      metadata: context,
      requiresAck: false,
    });
    m = await only(f, () => f.integration.broadcastAlert('store_down', 'critical', 'Store down'));
    expectMessage(m, 'alerts', 'store_down', 'system_alert', {
      alertId: expect.stringMatching(HEX16),
      severity: 'critical',
      category: 'system',
      title: 'Store down',
      description: 'Store down',
      source: 'store_down',
      node: NODE,
      metadata: {},
      requiresAck: true,
    });
  });

  it('broadcastAuditEvent: DataChange on audit/<eventType>', async () => {
    const m = await only(f, () =>
      f.integration.broadcastAuditEvent('user_account', 'admin-1', 'user-42', 'update', { email: 'new@example.com' }),
    );
    expectMessage(m, 'audit', 'user_account', 'data_change', {
      userId: 'admin-1',
      resourceType: 'user_account',
      resourceId: 'user-42',
      action: 'update',
      changes: { email: 'new@example.com' },
      metadata: {},
      node: NODE,
    });
  });

  it('broadcastLifecycleEvent: ProcessLifecycle on lifecycle/process_lifecycle', async () => {
    let m = await only(f, () =>
      f.integration.broadcastLifecycleEvent('restarted', 'projection_worker', { reason: 'oom', restartCount: 3 }),
    );
    expectMessage(m, 'lifecycle', 'process_lifecycle', 'process_lifecycle_event', {
      name: 'projection_worker',
      event: 'restarted',
      node: NODE,
      reason: 'oom',
      restartCount: 3,
    });
    m = await only(f, () => f.integration.broadcastLifecycleEvent('started', 'projection_worker'));
    expectMessage(m, 'lifecycle', 'process_lifecycle', 'process_lifecycle_event', {
      name: 'projection_worker',
      event: 'started',
      node: NODE,
      reason: null,
      restartCount: 0,
    });
  });

  it('broadcastDiagnostic: DebugTrace on diagnostics/diagnostics', async () => {
    const m = await only(f, () => f.integration.broadcastDiagnostic('slow_query', 'database', { ms: 900, sql: 'select 1' }));
    expectMessage(m, 'diagnostics', 'diagnostics', 'debug_trace', {
      traceId: expect.stringMatching(/^trace_[0-9a-f]{16}$/),
      component: 'database',
      operation: 'slow_query',
      traceData: { ms: 900, sql: 'select 1' },
      node: NODE,
      metadata: {},
    });
  });
});

describe('PubSubIntegration refuses bad arguments with invalid_message and a warning', () => {
  const cases: [string, string, (i: PubSubIntegration) => unknown][] = [
    ['unknown health status', 'health update', (i) => i.broadcastHealthUpdate('db', 'great')],
    ['non-string component', 'health update', (i) => i.broadcastHealthUpdate(42 as never, 'healthy')],
    ['non-object details', 'health update', (i) => i.broadcastHealthUpdate('db', 'healthy', 'fine' as never)],
    ['array details', 'health update', (i) => i.broadcastHealthUpdate('db', 'healthy', [1] as never)],
    ['store id with a space', 'store health', (i) => i.broadcastStoreHealth('a b', 'db', 'healthy')],
    ['unknown store status', 'store health', (i) => i.broadcastStoreHealth('s1', 'db', 'fine')],
    ['node list not an array', 'cluster health', (i) => i.broadcastClusterHealth('a' as never, [], 'e')],
    ['node list of numbers', 'cluster health', (i) => i.broadcastClusterHealth([1] as never, [], 'e')],
    ['metrics component with a space', 'metrics', (i) => i.broadcastMetrics('a b', { value: 1 })],
    ['metrics component with a star', 'metrics', (i) => i.broadcastMetrics('a:*', { value: 1 })],
    ['array metrics', 'metrics', (i) => i.broadcastMetrics('cache', [1, 2] as never)],
    ['string metrics', 'metrics', (i) => i.broadcastMetrics('cache', 'x' as never)],
    ['non-numeric metric value', 'metrics', (i) => i.broadcastMetrics('cache', { value: 'high' })],
    ['emitter without eventsEmitted', 'metrics', (i) => i.broadcastMetrics('emitter', {})],
    ['unknown alert severity', 'alert', (i) => i.broadcastAlert('disk', 'loud', 'm')],
    ['unknown alert category', 'alert', (i) => i.broadcastAlert('disk', 'warning', 'm', { category: 'weather' })],
    ['alert type with a space', 'alert', (i) => i.broadcastAlert('disk space', 'warning', 'm')],
    ['unknown audit action', 'audit event', (i) => i.broadcastAuditEvent('user', 'a', 'r', 'destroy')],
    ['unknown lifecycle event', 'lifecycle event', (i) => i.broadcastLifecycleEvent('exploded', 'p')],
    ['unknown system lifecycle event', 'system lifecycle', (i) => i.broadcastSystemLifecycle('rebooted', 's', '1')],
    ['non-object config changes', 'system config', (i) => i.broadcastSystemConfig('c', 'all' as never)],
    ['bad config topic', 'system config', (i) => i.broadcastSystemConfig('c', {}, { topic: 'a b' })],
    ['non-object diagnostic data', 'diagnostic', (i) => i.broadcastDiagnostic('trace', 'c', 'text')],
  ];

  it.each(cases)('%s', async (_what, operation, call) => {
    const f = fixture();
    const result = call(f.integration);
    expect(result).toEqual({ ok: false, reason: 'invalid_message', error: expect.any(String) });
    expect(f.logger.warnings).toHaveLength(1);
    expect(f.logger.warnings[0]).toBe(`Failed to broadcast ${operation}: ${(result as { error: string }).error}`);
    expect(await f.channels.drain(1_000)).toBe(true);
    expect(f.seen).toEqual([]);
  });
});

describe('PubSubIntegration while disabled', () => {
  it('every method returns disabled and publishes nothing', async () => {
    const f = fixture();
    f.config.disable();
    const i = f.integration;
    const results = [
      i.broadcastSystemLifecycle('started', 's', '1'),
      i.broadcastSystemConfig('c', {}),
      i.broadcastHealthUpdate('c', 'healthy'),
      i.broadcastStoreHealth('s', 'c', 'healthy'),
      i.broadcastClusterHealth(['a'], [], 'e'),
      i.broadcastMetrics('cache', { value: 1 }),
      i.broadcastAlert('t', 'info', 'm'),
      i.broadcastAuditEvent('t', 'a', 'r', 'read'),
      i.broadcastLifecycleEvent('started', 'p'),
      i.broadcastDiagnostic('t', 'c', {}),
      // Bad arguments too: disabled comes first.
      i.broadcastHealthUpdate('c', 'nonsense'),
    ];
    for (const result of results) expect(result).toEqual({ ok: false, reason: 'disabled', error: expect.stringContaining('disabled') });
    expect(i.broadcastBatch([{ kind: 'health_update', component: 'c', status: 'healthy' }])).toEqual({
      success: 0,
      errors: 0,
      disabled: true,
    });
    expect(await f.channels.drain(1_000)).toBe(true);
    expect(f.seen).toEqual([]);
    expect(f.channels.stats().reduce((sum, s) => sum + s.published + s.failedPublications, 0)).toBe(0);
    expect(f.logger.warnings).toEqual([]);

    f.config.enable();
    expect(i.broadcastHealthUpdate('c', 'healthy')).toMatchObject({ ok: true });
  });
});

describe('broadcastBatch', () => {
  it('sends every valid event and counts successes and errors; unknown kinds are errors', async () => {
    const f = fixture();
    const result = f.integration.broadcastBatch([
      { kind: 'system_lifecycle', event: 'started', systemName: 'esdb', version: '1.0.0' },
      { kind: 'health_update', component: 'db', status: 'healthy', details: { a: 1 } },
      { kind: 'health_update', component: 'db', status: 'sparkling' },
      { kind: 'metrics', component: 'emitter', metrics: { eventsEmitted: 5 } },
      { kind: 'alert', alertType: 'disk', severity: 'error', message: 'full', context: { category: 'data' } },
      { kind: 'teleport' } as never,
      null as never,
      'health_update' as never,
    ]);
    expect(result).toEqual({ success: 4, errors: 4 });
    expect(await f.channels.drain(1_000)).toBe(true);
    // Channels are isolated (alerts are served first), so compare as a set.
    expect(f.seen.map((m) => `${m.channel}/${m.topic}/${m.type}`).sort()).toEqual(
      [
        'system/lifecycle/system_lifecycle_event',
        'health/component_health/component_health_updated',
        'metrics/emitter/throughput_metric',
        'alerts/disk/system_alert',
      ].sort(),
    );
    expect(f.logger.warnings).toHaveLength(4);
    for (const warning of f.logger.warnings) expect(warning).toMatch(/^Failed to broadcast [a-z ]+: \S/);
  });

  it('an empty batch is zero and zero; a non-array is one error', () => {
    const f = fixture();
    expect(f.integration.broadcastBatch([])).toEqual({ success: 0, errors: 0 });
    expect(f.integration.broadcastBatch('nope' as never)).toEqual({ success: 0, errors: 1 });
  });
});

describe('PubSubIntegration never throws, whatever it is given (fast-check)', () => {
  const anything = anyValue;
  const throwing = new Proxy(
    {},
    {
      get(_target, key) {
        // Lets fast-check print it when a property fails.
        if (key === fc.toStringMethod) return () => 'hostileProxy';
        if (typeof key === 'symbol') return undefined;
        throw new Error('hostile get');
      },
      ownKeys() {
        throw new Error('hostile keys');
      },
      getPrototypeOf() {
        throw new Error('hostile prototype');
      },
    },
  );
  const hostile = fc.constantFrom<unknown>(
    throwing,
    {
      get kind(): string {
        throw new Error('boom');
      },
      [fc.toStringMethod]: () => 'throwingKind',
    },
    Object.create(null),
    Symbol('s'),
  );
  const argument = fc.oneof({ weight: 5, arbitrary: anything }, { weight: 1, arbitrary: hostile });
  const args = fc.array(argument, { maxLength: 6 });

  const methods = [
    'broadcastSystemLifecycle',
    'broadcastSystemConfig',
    'broadcastHealthUpdate',
    'broadcastStoreHealth',
    'broadcastClusterHealth',
    'broadcastMetrics',
    'broadcastAlert',
    'broadcastAuditEvent',
    'broadcastLifecycleEvent',
    'broadcastDiagnostic',
  ] as const;

  it.each(methods)('%s returns a PublishResult for arbitrary arguments', (method) => {
    const f = fixture();
    fc.assert(
      fc.property(args, (values) => {
        f.logger.warnings.length = 0;
        const result = (f.integration[method] as (...a: unknown[]) => unknown)(...values) as Record<string, unknown>;
        if (result.ok === true) {
          expect(result).toEqual({ ok: true, id: expect.any(String) });
        } else {
          expect(result).toEqual({ ok: false, reason: 'invalid_message', error: expect.any(String) });
          expect(f.logger.warnings).toHaveLength(1);
          expect(f.logger.warnings[0]).toMatch(/^Failed to broadcast [a-z ]+: /);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('broadcastBatch counts every element of an arbitrary list', () => {
    const f = fixture();
    const batchEvent = fc.oneof(
      argument,
      fc
        .record({ kind: fc.constantFrom('system_lifecycle', 'health_update', 'metrics', 'alert', 'other') }, { requiredKeys: [] })
        .chain((base) =>
          fc
            .dictionary(
              fc.constantFrom(
                'event',
                'systemName',
                'version',
                'component',
                'status',
                'details',
                'metrics',
                'alertType',
                'severity',
                'message',
                'context',
              ),
              argument,
            )
            .map((rest) => ({ ...rest, ...base })),
        ),
    );
    fc.assert(
      fc.property(fc.array(batchEvent, { maxLength: 8 }), (events) => {
        const result = f.integration.broadcastBatch(events as never);
        expect(result.disabled).toBeUndefined();
        expect(Number.isInteger(result.success) && Number.isInteger(result.errors)).toBe(true);
        expect(result.success + result.errors).toBe(events.length);
      }),
      { numRuns: 300 },
    );
    expect(() => f.integration.broadcastBatch(throwing as never)).not.toThrow();
  });
});
