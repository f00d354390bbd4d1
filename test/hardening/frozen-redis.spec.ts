import { randomBytes } from 'node:crypto';
import { PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { RedisServer } from '../support/redis-server.js';
import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { recordFigure } from './support/figures.js';
import { startRedisApp } from './support/redis-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HEARTBEAT_MS = 500;
const NODE_TIMEOUT_MS = 1_500;

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - started;
}

/** The rules of the system_alert messages a node raised, in order. */
function alertRules(manager: PubSubManager): string[] {
  const rules: string[] = [];
  manager.channel('alerts').subscribe('system_alerts:*', (message: PubSubMessage) => {
    rules.push(String((message.payload as { metadata?: { rule?: unknown } }).metadata?.rule));
  });
  return rules;
}

describeWithRedis('a frozen Redis (connections open, no replies)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  }, 30_000);
  afterAll(async () => {
    server?.thaw();
    await server?.stop();
  });

  it('is detected within two heartbeat intervals as transport_down, blames no peer, and recovers when it thaws', async () => {
    const prefix = `frozen-${randomBytes(4).toString('hex')}`;
    const options = { heartbeatIntervalMs: HEARTBEAT_MS, nodeTimeoutMs: NODE_TIMEOUT_MS };
    const a = await startRedisApp(server.url, prefix, { ...options, nodeName: 'frozen-a' });
    const b = await startRedisApp(server.url, prefix, { ...options, nodeName: 'frozen-b' });
    const [managerA, managerB] = [a.app.get(PubSubManager), b.app.get(PubSubManager)];
    try {
      const rulesA = alertRules(managerA);
      const rulesB = alertRules(managerB);
      await until(() => managerA.nodes().length === 2 && managerB.nodes().length === 2, 5_000, 'discovery');

      server.freeze();
      const detectedA = until(() => rulesA.includes('transport_down'), 10_000, 'transport_down on frozen-a');
      const detectedB = until(() => rulesB.includes('transport_down'), 10_000, 'transport_down on frozen-b');
      const [afterA, afterB] = await Promise.all([detectedA, detectedB]);
      console.log(`frozen Redis noticed after ${afterA} ms (a) and ${afterB} ms (b); heartbeatIntervalMs ${HEARTBEAT_MS}`);
      // Within heartbeatIntervalMs * 2, with a little room for a loaded machine's timers.
      expect(Math.max(afterA, afterB)).toBeLessThan(HEARTBEAT_MS * 2 + 250);
      expect(managerA.transportStats().connected).toBe(false);

      // Frozen for three node timeouts: neither node blames the other, healthy one.
      await sleep(NODE_TIMEOUT_MS * 3);
      expect(managerA.nodes()).toEqual(['frozen-a', 'frozen-b']);
      expect(managerB.nodes()).toEqual(['frozen-a', 'frozen-b']);

      server.thaw();
      await until(() => rulesA.includes('transport_up') && rulesB.includes('transport_up'), 10_000, 'transport_up on both');
      const received: PubSubMessage[] = [];
      managerB.channel('events').subscribe('after:*', (message) => void received.push(message));
      await until(() => managerA.transportStats().connected && managerB.transportStats().connected, 5_000, 'connected again');
      managerA.channel('events').publish('after:thaw', 'after_thaw', {});
      await until(() => received.length === 1, 5_000, 'a message after the thaw');
      await sleep(NODE_TIMEOUT_MS * 1.5);
      expect(rulesA).not.toContain('node_failure');
      expect(rulesB).not.toContain('node_failure');
      expect(managerA.nodes()).toEqual(['frozen-a', 'frozen-b']);
      recordFigure('faults survived');
    } finally {
      server.thaw();
      await Promise.all([a.app.close(), b.app.close()]);
    }
  }, 60_000);
});
