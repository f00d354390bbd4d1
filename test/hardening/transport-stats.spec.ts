import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { busChannel } from '../../libs/pubsub/src/transport/redis-bus.js';
import { RedisServer } from '../support/redis-server.js';
import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { recordFigure } from './support/figures.js';
import { startRedisApp } from './support/redis-app.js';

async function eventually<T>(probe: () => T, done: (value: T) => boolean, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithRedis('PubSubManager.transportStats() over Redis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  }, 30_000);
  afterAll(async () => server?.stop());

  it('reports what crossed the wire and what was rejected, by reason, in the documented shape', async () => {
    const prefix = `stats-${randomBytes(4).toString('hex')}`;
    const options = { heartbeatIntervalMs: 200, nodeTimeoutMs: 2_000 };
    const a = await startRedisApp(server.url, prefix, { ...options, nodeName: 'stats-a' });
    const b = await startRedisApp(server.url, prefix, { ...options, nodeName: 'stats-b' });
    const attacker = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      const [managerA, managerB] = [a.app.get(PubSubManager), b.app.get(PubSubManager)];
      await eventually(
        () => managerA.nodes().length + managerB.nodes().length,
        (n) => n === 4,
        'discovery',
      );
      const received: PubSubMessage[] = [];
      managerB.channel('events').subscribe('stats:*', (message) => void received.push(message));
      for (let i = 0; i < 10; i++) expect(managerA.channel('events').publish('stats:x', 'counted', { i }).ok).toBe(true);
      await eventually(
        () => received.length,
        (n) => n === 10,
        '10 messages',
      );
      await attacker.publish(busChannel(prefix), 'not a frame');
      await attacker.publish(busChannel(prefix), JSON.stringify({ garbage: true }));
      const statsB = await eventually(
        () => managerB.transportStats(),
        (s) => Object.values(s.rejected).reduce((x, y) => x + y, 0) >= 2,
        'rejections',
      );
      const statsA = managerA.transportStats();

      expect(Object.keys(statsA).sort()).toEqual([
        'connected',
        'duplicates',
        'nodes',
        'queued',
        'received',
        'rejected',
        'sendFailures',
        'sent',
        'type',
      ]);
      expect(statsA).toMatchObject({ type: 'redis', connected: true, nodes: 2, queued: 0, sendFailures: 0, duplicates: 0 });
      expect(statsA.sent).toBeGreaterThanOrEqual(10);
      expect(statsB).toMatchObject({ type: 'redis', connected: true, nodes: 2, sendFailures: 0, duplicates: 0 });
      expect(statsB.received).toBeGreaterThanOrEqual(10);
      // Two rejections, under whatever reason the receiver gives them (today both are 'invalid_format').
      expect(Object.values(statsB.rejected).reduce((x, y) => x + y, 0)).toBe(2);
      recordFigure('forged frames rejected', 2);
    } finally {
      attacker.disconnect();
      await Promise.all([a.app.close(), b.app.close()]);
    }
  }, 30_000);
});
