import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import { RedisBus } from '../../libs/pubsub/src/transport/redis-bus.js';
import { waitFor } from '../support/channels.js';
import { RedisServer, type ServerProtocols } from '../support/redis-server.js';
import { describeWithRedis } from './support/describe-with-redis.js';

const SCRIPT = "return redis.call('INCR', KEYS[1])";
const PUBLISHING_SCRIPT = "return {redis.call('PUBLISH', ARGV[1], ARGV[2]), 'published'}";

/** The connections Redis lists under this bus's prefix, by name, with the protocol each speaks. */
async function connections(admin: Redis, prefix: string): Promise<{ name: string; resp: string }[]> {
  const list = String(await admin.call('CLIENT', 'LIST'));
  return list
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('=') as [string, string])))
    .filter((client) => client.name?.startsWith(`${prefix}:`))
    .map((client) => ({ name: client.name, resp: client.resp }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describeWithRedis('RedisBus connections', () => {
  const cases: [ServerProtocols, { name: string; resp: string }[]][] = [
    // One connection subscribes and publishes: a frame's reply and its echo come back in one read.
    ['resp2-and-resp3', [{ name: 'bus-test:sub', resp: '3' }]],
    // A subscribed RESP2 connection may only subscribe, so publishing takes a second one.
    [
      'resp2-only',
      [
        { name: 'bus-test:pub', resp: '2' },
        { name: 'bus-test:sub', resp: '2' },
      ],
    ],
  ];

  describe.each(cases)('on a server that speaks %s', (speaks, expected) => {
    let server: RedisServer;
    let admin: Redis;
    let bus: RedisBus;
    const frames: string[] = [];
    const states: string[] = [];

    beforeAll(async () => {
      server = await RedisServer.start(undefined, { speaks });
      admin = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(times * 50, 500) });
      bus = new RedisBus({ url: server.url, prefix: 'bus-test', logger: silentLogger, scripts: [SCRIPT], maxReconnectDelayMs: 100 });
      await bus.open(
        { frame: (frame) => frames.push(frame.toString()), state: (up, reason) => states.push(`${up ? 'up' : 'down'}: ${reason}`) },
        5_000,
      );
    });

    afterAll(async () => {
      await bus.close();
      admin.disconnect();
      await server.stop();
    });

    it('opens as many connections as the server needs, and no more', async () => {
      expect(bus.up).toBe(true);
      expect(await connections(admin, 'bus-test')).toEqual(expected);
    });

    it('publishes, hears its own frame, and runs a script that publishes, in order', async () => {
      frames.length = 0;
      expect(await bus.publish('frame-1')).toBe(1);
      expect(await bus.runScript(SCRIPT, ['bus-test:counter'], [])).toBe(1);
      expect(await bus.runScript(PUBLISHING_SCRIPT, [], ['bus-test:bus', 'frame-2'])).toEqual([1, 'published']);
      expect(await bus.publish('frame-3')).toBe(1);
      await bus.barrier();
      expect(frames).toEqual(['frame-1', 'frame-2', 'frame-3']);
    });

    // This machine's Redis is 7.0, which garbles a transaction's reply with the echo of a PUBLISH inside it on a
    // subscribed RESP3 connection; Redis 7.2 and later do not (the version rule has its own unit test).
    it(`${speaks === 'resp2-only' ? 'publishes' : 'refuses to publish'} in a transaction, as checkedPublishes says`, async () => {
      frames.length = 0;
      const checked = bus.publishChecked(['bus-test:watched'], SCRIPT, ['bus-test:counter'], [], Buffer.from('frame-4'), 'bus-test:clear');
      if (speaks === 'resp2-only') {
        expect(bus.checkedPublishes).toBe(true);
        expect(await checked).toEqual({ reply: 2, receivers: 1 });
        await bus.barrier();
        expect(frames).toEqual(['frame-4']);
      } else {
        expect(bus.checkedPublishes).toBe(false);
        await expect(checked).rejects.toThrow(/before 7\.2/);
        expect(await bus.publish('still-in-sync')).toBe(1);
      }
    });

    it('after the server restarts, comes back on the same connections, subscribed and publishing', async () => {
      await server.restart();
      await waitFor(() => states.some((state) => state.startsWith('down')), 'the outage to be noticed', 10_000);
      await waitFor(() => bus.up, 'the bus to be up again', 10_000);
      expect(await connections(admin, 'bus-test')).toEqual(expected);
      frames.length = 0;
      expect(await bus.publish('after-restart')).toBe(1);
      // The script cache went with the old server: the bus loaded it again.
      expect(await bus.runScript(SCRIPT, ['bus-test:counter'], [])).toBe(1);
      expect(await admin.call('SCRIPT', 'EXISTS', createHash('sha1').update(SCRIPT).digest('hex'))).toEqual([1]);
      await bus.barrier();
      expect(frames).toEqual(['after-restart']);
    });
  });
});
