// The catalogue as an application publishes it: node names per application (issue 8 item 5) and unknown fields
// refused (issue 7 item 13).
import { afterEach, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import * as library from '@gater/pubsub';
import {
  HealthChannel,
  HealthMessages,
  LoggingChannel,
  LoggingMessages,
  PubSubIntegration,
  isCatalogueMessage,
  type PubSubMessage,
} from '@gater/pubsub';
import { Inbox, startApp } from '../support/pubsub-app.js';

const apps: TestingModule[] = [];

async function application(nodeName: string, integration = false): Promise<TestingModule> {
  const app = await startApp({ options: { nodeName, integration } });
  apps.push(app);
  return app;
}

function listen(app: TestingModule, channel: typeof HealthChannel | typeof LoggingChannel, pattern = '*'): Inbox {
  const inbox = new Inbox();
  app.get(channel).subscribe(pattern, inbox.handler);
  return inbox;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('the node name of catalogue payloads', () => {
  it('is the publishing application’s own, with two applications in one process', async () => {
    const first = await application('node-first');
    const second = await application('node-second');
    const inboxes = [listen(first, HealthChannel), listen(second, HealthChannel)];
    // One message object, published by both: neither application may leave its name on it for the other.
    const message = HealthMessages.nodeHealth({ status: 'healthy' });
    expect(first.get(HealthChannel).publish('cluster:health', message)).toEqual({ ok: true, id: expect.any(String) });
    expect(second.get(HealthChannel).publish('cluster:health', message)).toEqual({ ok: true, id: expect.any(String) });
    const [[fromFirst], [fromSecond]] = await Promise.all(inboxes.map((inbox) => inbox.until(1)));
    expect(fromFirst).toMatchObject({ node: 'node-first', payload: { node: 'node-first', status: 'healthy' } });
    expect(fromSecond).toMatchObject({ node: 'node-second', payload: { node: 'node-second', status: 'healthy' } });
    expect(message.payload).not.toHaveProperty('node');
  });

  it('fills LogSummary’s nodesReporting from the publishing application too', async () => {
    const first = await application('node-first');
    const second = await application('node-second');
    const inboxes = [listen(first, LoggingChannel), listen(second, LoggingChannel)];
    const message = LoggingMessages.logSummary({ timePeriod: 'hour', logCounts: { info: 3 } });
    first.get(LoggingChannel).publish('audit_logs', message);
    second.get(LoggingChannel).publish('audit_logs', message);
    const [[fromFirst], [fromSecond]] = await Promise.all(inboxes.map((inbox) => inbox.until(1)));
    expect(fromFirst.payload).toMatchObject({ nodesReporting: ['node-first'], totalLogs: 3 });
    expect(fromSecond.payload).toMatchObject({ nodesReporting: ['node-second'], totalLogs: 3 });
  });

  it('is the application’s own in what the integration layer sends', async () => {
    const first = await application('integrated-first', true);
    const second = await application('integrated-second', true);
    const inboxes = [listen(first, HealthChannel, 'component_health'), listen(second, HealthChannel, 'component_health')];
    first.get(PubSubIntegration).broadcastHealthUpdate('store', 'healthy');
    second.get(PubSubIntegration).broadcastHealthUpdate('store', 'healthy');
    const [[fromFirst], [fromSecond]] = await Promise.all(inboxes.map((inbox) => inbox.until(1)));
    expect(fromFirst.payload).toMatchObject({ component: 'store', node: 'integrated-first' });
    expect(fromSecond.payload).toMatchObject({ component: 'store', node: 'integrated-second' });
  });

  it('stays as given when the payload names a node', async () => {
    const app = await application('node-first');
    const inbox = listen(app, HealthChannel);
    const message = HealthMessages.nodeHealth({ status: 'healthy', node: 'reported-for-another' });
    app.get(HealthChannel).publish('cluster:health', message);
    const [received] = await inbox.until(1);
    expect(received.payload).toBe(message.payload);
    expect(received.payload).toMatchObject({ node: 'reported-for-another' });
  });

  it('is no longer process-wide state: nothing named localNodeName is exported', () => {
    expect(Object.keys(library)).not.toContain('localNodeName');
  });
});

describe('unknown fields of a catalogue payload', () => {
  it('refuse a factory-built message with invalid_message naming the field', async () => {
    const app = await application('node-first');
    const channel = app.get(HealthChannel);
    const inbox = listen(app, HealthChannel);
    const typo = { status: 'healthy', stauts: 'x' } as unknown as Parameters<typeof HealthMessages.nodeHealth>[0];
    const result = channel.publish('cluster:health', HealthMessages.nodeHealth(typo));
    expect(result).toEqual({ ok: false, reason: 'invalid_message', error: expect.stringContaining("unknown field 'stauts'") });
    expect(channel.stats()).toMatchObject({ published: 0, failedPublications: 1 });
    await channel.drain(500);
    expect(inbox.messages).toEqual([]);
  });

  it('refuse a raw { type, payload } publication of a catalogue type the same way', async () => {
    const app = await application('node-first');
    const result = app.get(HealthChannel).publish('cluster:health', {
      type: 'node_health_updated',
      payload: { node: 'n1', status: 'healthy', timestamp: Date.now(), severity: 'info' },
    });
    expect(result).toEqual({
      ok: false,
      reason: 'invalid_message',
      error:
        "node_health_updated: unknown field 'severity' (NodeHealth has node, status, checks, loadAvg, memoryUsage, diskUsage, timestamp)",
    });
  });

  it('do not concern other types, which pass as they are', async () => {
    const app = await application('node-first');
    expect(app.get(HealthChannel).publish('cluster:health', { type: 'my_health', payload: { anything: 1 } })).toEqual({
      ok: true,
      id: expect.any(String),
    });
  });
});

describe('isCatalogueMessage on delivered messages', () => {
  it('narrows a valid catalogue message and rejects another type or an invalid payload', async () => {
    const app = await application('node-first');
    const inbox = listen(app, HealthChannel);
    const channel = app.get(HealthChannel);
    channel.publish('cluster:health', HealthMessages.nodeHealth({ status: 'degraded' }));
    channel.publish('cluster:health', { type: 'my_health', payload: { status: 'degraded' } });
    const received: PubSubMessage[] = await inbox.until(2);
    const statuses = received.map((message) => (isCatalogueMessage(message, 'node_health_updated') ? message.payload.status : 'other'));
    expect(statuses).toEqual(['degraded', 'other']);
    expect(isCatalogueMessage({ ...received[0], payload: { status: 'bogus' } }, 'node_health_updated')).toBe(false);
    expect(isCatalogueMessage(received[0], 'cluster_health_updated')).toBe(false);
  });
});
