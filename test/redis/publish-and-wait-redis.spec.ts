import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import { SelfMonitor } from '../../libs/pubsub/src/integration/self-monitor.js';
import { waitFor } from '../support/channels.js';
import { useCoreNodes } from './support/core-nodes.js';
import { describeWithRedis } from './support/describe-with-redis.js';

const SECRET = 'publish-and-wait-secret-0123456789';

describeWithRedis('publishAndWait and durable_lag over Redis Streams', () => {
  const { node } = useCoreNodes(SECRET);

  it('a durable subscription on this node: delivered once acknowledged, failed once dead-lettered; local publications skip the stream', async () => {
    const channels = await node('w', { prefix: `wait-${randomBytes(4).toString('hex')}` });
    expect(channels.hooks.durable?.kind).toBe('redis');
    const audit = channels.channel('audit');
    audit.subscribe('user:*', () => undefined, { durable: 'writer' });
    audit.subscribe(
      'broken:*',
      () => {
        throw new Error('cannot write');
      },
      { durable: 'failing', maxDeliveries: 2 },
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the groups are created
    expect(await audit.publishAndWait('user:1', 'login', 'u1', { timeoutMs: 10_000 })).toMatchObject({
      ok: true,
      delivered: 1,
      failed: 0,
      timedOut: 0,
    });
    expect(await audit.publishAndWait('broken:1', 'login', 'u2', { timeoutMs: 10_000 })).toMatchObject({
      ok: true,
      delivered: 0,
      failed: 1,
      timedOut: 0,
    });
    // Local: kept for recent() here, never written to the stream, so no durable group is waited for.
    expect(await audit.publishAndWait('user:2', 'login', 'u3', { local: true })).toMatchObject({ ok: true, delivered: 0, timedOut: 0 });
  });

  it('durable_lag from the Redis backend: a stuck member raises the alert', async () => {
    const channels = await node('l', { prefix: `lag-${randomBytes(4).toString('hex')}` });
    const audit = channels.channel('audit');
    audit.subscribe('user:*', () => new Promise(() => undefined), { durable: 'stuck' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const monitor = new SelfMonitor(
      channels,
      { windowMs: 60_000, failedPublications: 100, handlerErrors: 100, dropped: 100, messagesPerSecond: 1_000_000, durableLagMs: 200 },
      silentLogger,
    );
    audit.publish('user:1', 'login', 'u1');
    monitor.start();
    try {
      await waitFor(() => channels.channel('alerts').stats().published >= 1, 'the durable_lag alert', 10_000);
      const [alert] = channels.channel('alerts').recent('system_alerts:*');
      expect((alert.payload as { metadata: Record<string, unknown> }).metadata).toMatchObject({
        rule: 'durable_lag',
        channel: 'audit',
        durable: 'stuck',
        threshold: 200,
      });
    } finally {
      monitor.stop();
    }
  });
});
