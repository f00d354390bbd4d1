import { Redis } from 'ioredis';
import { GATE_CHECK } from '../../libs/pubsub/src/transport/redis-streams/gate-scripts.js';
import { RedisServer } from '../support/redis-server.js';
import { describeWithRedis } from './support/describe-with-redis.js';

/**
 * The check of a frame without entries (GATE_CHECK) and its transaction, step by step on one connection, with
 * another client writing a marker in between: what makes the check, read before the transaction, as good as one
 * read atomically with the PUBLISH.
 */
describeWithRedis('the gate check of a frame without entries', () => {
  let server: RedisServer;
  let publisher: Redis;
  let other: Redis;
  const keys = ['g:gate:a', 'g:gate:a:pending', 'g:stream:audit:groups', 'g:stream:audit'];
  const watched = [keys[0], keys[2]];

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(() => server.stop());
  beforeEach(async () => {
    publisher = new Redis(server.url, { maxRetriesPerRequest: 1 });
    other = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await other.flushall();
  });
  afterEach(() => {
    publisher.disconnect();
    other.disconnect();
  });

  /** WATCH, the check, then (after `between`) the transaction that publishes: the check's reply and EXEC's. */
  async function checkAndPublish(generation: number, between: () => Promise<unknown> = async () => undefined) {
    await publisher.call('WATCH', ...watched);
    const reply = await publisher.call('EVAL', GATE_CHECK, keys.length, ...keys, generation);
    await between();
    await publisher.call('MULTI');
    await publisher.call('PUBLISH', 'g:bus', 'frame');
    await publisher.call('DEL', keys[1]);
    return { reply, executed: await publisher.call('EXEC') };
  }

  it('publishes while the marker is absent, and leaves no pending generation behind', async () => {
    const { reply, executed } = await checkAndPublish(0);
    expect(reply).toEqual([1, 'absent']);
    expect(executed).toEqual([0, 1]);
    expect(await other.exists(keys[1])).toBe(0);
  });

  it('refuses a frame whose channel is seeding or ready: its transaction does not run', async () => {
    await other.set(keys[2], 'seeding:token', 'PX', 5_000);
    expect(await checkAndPublish(0)).toEqual({ reply: [-1, 'seeding'], executed: null });
    await other.set(keys[2], 'ready');
    expect(await checkAndPublish(1)).toEqual({ reply: [-1, 'ready'], executed: null });
  });

  it('a marker written after the check stops the transaction, and the rest of that generation is refused as stale', async () => {
    const { reply, executed } = await checkAndPublish(0, () => other.set(keys[2], 'seeding:token', 'PX', 5_000));
    expect(reply).toEqual([1, 'absent']);
    expect(executed).toBeNull(); // not published: the frame is held and re-sent
    await other.del(keys[2]); // even with the marker gone again, a later frame of generation 0 must not overtake it
    expect(await checkAndPublish(0)).toEqual({ reply: [-2], executed: null });
    expect((await checkAndPublish(1)).executed).toEqual([0, 1]); // the re-send, in the next generation
  });

  it('after a refusal, every later frame of the same generation is refused as stale', async () => {
    await other.set(keys[2], 'ready');
    expect((await checkAndPublish(3)).reply).toEqual([-1, 'ready']);
    await other.del(keys[2]);
    expect(await checkAndPublish(3)).toEqual({ reply: [-2], executed: null });
    expect((await checkAndPublish(4)).executed).toEqual([0, 1]);
  });
});
