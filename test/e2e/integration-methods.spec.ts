import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { OnChannel, PubSubConfigService, PubSubIntegration, PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { startApp } from '../support/pubsub-app.js';
import { waitFor } from '../support/integration-helpers.js';

@Injectable()
class Observer {
  readonly seen: PubSubMessage[] = [];
  @OnChannel('health', ['component_health', '*:health'])
  @OnChannel('metrics', '*')
  @OnChannel('alerts', '*')
  @OnChannel('audit', '*')
  @OnChannel('lifecycle', 'process_lifecycle')
  @OnChannel('diagnostics', 'diagnostics')
  @OnChannel('system', 'config')
  record(message: PubSubMessage) {
    this.seen.push(message);
  }
}

let app: TestingModule | undefined;
afterEach(async () => {
  jest.restoreAllMocks();
  await app?.close();
  app = undefined;
});

async function start() {
  app = await startApp({
    options: { integration: true, nodeName: 'methods-node', healthBroadcastInterval: 600_000, metricsBroadcastInterval: 600_000 },
    providers: [Observer],
  });
  return {
    integration: app.get(PubSubIntegration),
    config: app.get(PubSubConfigService),
    manager: app.get(PubSubManager),
    observer: app.get(Observer),
  };
}

describe('PubSubIntegration in an application', () => {
  it('every method reaches decorated handlers on its channel, topic and type, naming the node', async () => {
    const { integration, manager, observer } = await start();
    const results = [
      integration.broadcastSystemConfig('store', { pool: 2 }),
      integration.broadcastHealthUpdate('db', 'healthy', { a: 1 }),
      integration.broadcastStoreHealth('store1', 'db', 'degraded'),
      integration.broadcastMetrics('persistence', { operationsCount: 3, storesCount: 1, durationMs: 5, successCount: 3, errorCount: 0 }),
      integration.broadcastMetrics('emitter', { eventsEmitted: 10 }),
      integration.broadcastAlert('disk', 'error', 'Disk full'),
      integration.broadcastAuditEvent('user', 'admin', 'u1', 'delete'),
      integration.broadcastLifecycleEvent('crashed', 'worker', { reason: 'boom' }),
      integration.broadcastDiagnostic('trace', 'db', { q: 1 }),
    ];
    for (const result of results) expect(result).toEqual({ ok: true, id: expect.any(String) });
    await manager.drain(1_000);
    await waitFor(() => observer.seen.length === results.length, 'every message');
    const summary = observer.seen.map((m) => `${m.channel} ${m.topic} ${m.type}`).sort();
    expect(summary).toEqual(
      [
        'system config system_config_changed',
        'health component_health component_health_updated',
        'health store1:health component_health_updated',
        'metrics persistence performance_metric',
        'metrics emitter throughput_metric',
        'alerts disk system_alert',
        'audit user data_change',
        'lifecycle process_lifecycle process_lifecycle_event',
        'diagnostics diagnostics debug_trace',
      ].sort(),
    );
    for (const message of observer.seen) {
      expect(message.node).toBe('methods-node');
      expect((message.payload as { node: string }).node).toBe('methods-node');
    }
  });

  it('broadcastBatch counts successes and errors', async () => {
    const { integration, manager, observer } = await start();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const result = integration.broadcastBatch([
      { kind: 'health_update', component: 'db', status: 'healthy' },
      { kind: 'metrics', component: 'cache', metrics: { value: 1 } },
      { kind: 'alert', alertType: 'x', severity: 'nope', message: 'm' },
      { kind: 'unknown' } as never,
    ]);
    expect(result).toEqual({ success: 2, errors: 2 });
    await manager.drain(1_000);
    expect(observer.seen).toHaveLength(2);
  });

  it('while disabled through PubSubConfigService: disabled results, nothing sent, channels still work', async () => {
    const { integration, config, manager, observer } = await start();
    config.disable();
    expect(integration.broadcastHealthUpdate('db', 'healthy')).toEqual({
      ok: false,
      reason: 'disabled',
      error: expect.stringContaining('disabled'),
    });
    expect(integration.broadcastAlert('disk', 'error', 'Disk full')).toEqual({
      ok: false,
      reason: 'disabled',
      error: expect.stringContaining('disabled'),
    });
    expect(integration.broadcastBatch([{ kind: 'health_update', component: 'db', status: 'healthy' }])).toEqual({
      success: 0,
      errors: 0,
      disabled: true,
    });
    expect(manager.channel('health').publish('component_health', 'custom', {})).toMatchObject({ ok: true });
    await manager.drain(1_000);
    expect(observer.seen.map((m) => m.type)).toEqual(['custom']);
    config.enable();
    expect(integration.broadcastHealthUpdate('db', 'healthy')).toMatchObject({ ok: true });
  });
});

describe('two applications in one process', () => {
  it("each one's integration messages, broadcasts and alerts name its own node", async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const options = {
      integration: true,
      healthBroadcastInterval: 20,
      metricsBroadcastInterval: 600_000,
      alerting: { failedPublications: 1 },
    };
    const first = await startApp({ options: { ...options, nodeName: 'first-node' } });
    const second = await startApp({ options: { ...options, nodeName: 'second-node' } });
    try {
      const manager = first.get(PubSubManager);
      const seen: PubSubMessage[] = [];
      manager.channel('health').subscribe(['component_health', 'cluster:health'], (m) => void seen.push(m));
      manager.channel('alerts').subscribe('system_alerts:*', (m) => void seen.push(m));
      first.get(PubSubIntegration).broadcastHealthUpdate('db', 'healthy');
      manager.channel('events').publish('bad topic', 'x');
      await waitFor(() => seen.some((m) => m.type === 'node_health_updated'), 'a health tick of the first application');
      await manager.drain(1_000);
      const types = new Set(seen.map((m) => m.type));
      expect(types).toEqual(new Set(['component_health_updated', 'node_health_updated', 'cluster_health_updated', 'system_alert']));
      for (const message of seen.filter((m) => m.type !== 'cluster_health_updated')) {
        expect({ type: message.type, node: (message.payload as { node: string }).node }).toEqual({
          type: message.type,
          node: 'first-node',
        });
      }
    } finally {
      await first.close();
      await second.close();
    }
  });
});
