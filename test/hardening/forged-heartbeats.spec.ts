import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { PubSubSecurity } from '../../libs/pubsub/src/security/pubsub-security.js';
import { busChannel } from '../../libs/pubsub/src/transport/redis-bus.js';
import { FrameCodec, newEpoch } from '../../libs/pubsub/src/transport/wire-frame.js';
import { RedisServer } from '../support/redis-server.js';
import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { recordFigure } from './support/figures.js';
import { startRedisApp } from './support/redis-app.js';
import { retainedHeapBytes } from '../support/collect-garbage.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FORGED = 20_000;
const MAX_NODES = 1_000;

/** A heartbeat in the name of a node that does not exist, as anyone able to PUBLISH on the bus can send. */
function forgedHeartbeat(node: string): string {
  return new FrameCodec(node, newEpoch(), new PubSubSecurity({})).encode('h', [], new Map());
}

describeWithRedis('forged heartbeats from invented node names (no secret)', () => {
  let server: RedisServer;
  let attacker: Redis;
  beforeAll(async () => {
    server = await RedisServer.start();
    attacker = new Redis(server.url, { maxRetriesPerRequest: 1 });
  }, 30_000);
  afterAll(async () => {
    attacker?.disconnect();
    await server?.stop();
  });

  it('after 20,000 of them the node still answers at once, its heap and log stay bounded, nodes() <= maxNodes', async () => {
    const prefix = `forged-${randomBytes(4).toString('hex')}`;
    // Short timeouts, so the fake nodes also time out (node_failure) within the test.
    const { app, logger } = await startRedisApp(server.url, prefix, { nodeName: 'target', heartbeatIntervalMs: 200, nodeTimeoutMs: 1_000 });
    const manager = app.get(PubSubManager);
    const probe = async (): Promise<number> => {
      const started = Date.now();
      const arrived = new Promise<void>((resolve) => {
        const subscription = manager.channel('events').subscribe('probe:*', (message: PubSubMessage) => {
          if (message.payload !== started) return;
          subscription.unsubscribe();
          resolve();
        });
      });
      expect(manager.channel('events').publish('probe:ping', 'probe', started).ok).toBe(true);
      await arrived;
      return Date.now() - started;
    };
    try {
      await probe();
      const heapBefore = retainedHeapBytes();
      const callsBefore = logger.calls;
      const charsBefore = logger.size;

      const names = Array.from({ length: FORGED }, (_, i) => `fake-${i}-${'x'.repeat(200)}`);
      for (let from = 0; from < FORGED; from += 1_000) {
        const pipeline = attacker.pipeline();
        for (const name of names.slice(from, from + 1_000)) pipeline.publish(busChannel(prefix), forgedHeartbeat(name));
        await pipeline.exec();
      }
      const latencies: number[] = [];
      let mostNodes = 0;
      // Through the joins, the refusals and the mass time-out of the fakes (nodeTimeoutMs 1 s).
      for (const until = Date.now() + 3_000; Date.now() < until;) {
        latencies.push(await probe());
        mostNodes = Math.max(mostNodes, manager.nodes().length);
        await sleep(100);
      }
      const heapGrowth = retainedHeapBytes() - heapBefore;
      const stats = manager.transportStats();
      const logCalls = logger.calls - callsBefore;
      const logChars = logger.size - charsBefore;
      console.log(
        `${FORGED} forged heartbeats: slowest probe ${Math.max(...latencies)} ms, heap +${Math.round(heapGrowth / 1e6)} MB, ` +
          `most nodes ${mostNodes}, ${logCalls} log lines (${logChars} chars), refused ${stats.rejected.too_many_nodes}`,
      );
      recordFigure('forged frames rejected', stats.rejected.too_many_nodes ?? 0);

      expect(Math.max(...latencies)).toBeLessThan(1_000);
      expect(heapGrowth).toBeLessThan(200 * 1024 * 1024);
      expect(mostNodes).toBeLessThanOrEqual(MAX_NODES);
      expect(stats.rejected.too_many_nodes).toBeGreaterThan(0);
      // A summary per kind and second, not a line per fake node (20,000 joins, 1,000 time-outs).
      expect(logCalls).toBeLessThan(300);
      expect(logChars).toBeLessThan(200_000);
      expect(logger.lines.join('\n')).toMatch(/more node\(s\) joined within/);
      expect(logger.lines.join('\n')).toMatch(/were refused within/);
    } finally {
      await app.close();
    }
  }, 60_000);
});
