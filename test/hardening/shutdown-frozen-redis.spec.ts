import { randomBytes } from 'node:crypto';
import { PubSubManager } from '@gater/pubsub';
import { SHUTDOWN_DRAIN_TIMEOUT_MS } from '../../libs/pubsub/src/module/pubsub-lifecycle.js';
import { RedisServer } from '../support/redis-server.js';
import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { recordFigure } from './support/figures.js';
import { startRedisApp } from './support/redis-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const BOUND_MS = SHUTDOWN_DRAIN_TIMEOUT_MS + 2_000;

/** Starts a node on its own redis-server, breaks the server as told, and measures app.close(). */
async function closeWhile(fault: (server: RedisServer) => Promise<void>): Promise<number> {
  const server = await RedisServer.start();
  try {
    const { app } = await startRedisApp(server.url, `shutdown-${randomBytes(4).toString('hex')}`, {
      heartbeatIntervalMs: 500,
      nodeTimeoutMs: 2_000,
    });
    const events = app.get(PubSubManager).channel('events');
    await fault(server);
    // Messages waiting to go out while the server does not answer.
    for (let i = 0; i < 1_000; i++) events.publish('outbound:x', 'queued', { i });
    const started = Date.now();
    await app.close();
    return Date.now() - started;
  } finally {
    server.thaw();
    await server.stop();
  }
}

describeWithRedis('app.close() while Redis is frozen or unreachable', () => {
  it('finishes within the drain timeout + 2 s when Redis froze just before (not yet noticed)', async () => {
    const elapsed = await closeWhile(async (server) => server.freeze());
    console.log(`app.close() with Redis frozen (unnoticed): ${elapsed} ms`);
    expect(elapsed).toBeLessThan(BOUND_MS);
    recordFigure('faults survived');
  }, 30_000);

  it('finishes within the drain timeout + 2 s when the freeze was already noticed', async () => {
    const elapsed = await closeWhile(async (server) => {
      server.freeze();
      await sleep(1_500);
    });
    console.log(`app.close() with Redis frozen (noticed): ${elapsed} ms`);
    expect(elapsed).toBeLessThan(BOUND_MS);
    recordFigure('faults survived');
  }, 30_000);

  it('finishes within the drain timeout + 2 s when Redis is gone', async () => {
    const elapsed = await closeWhile(async (server) => {
      await server.kill();
      await sleep(300);
    });
    console.log(`app.close() with Redis gone: ${elapsed} ms`);
    expect(elapsed).toBeLessThan(BOUND_MS);
    recordFigure('faults survived');
  }, 30_000);
});
