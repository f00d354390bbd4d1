import { describeWithRedis } from './support/describe-with-redis.js';
import { channelStats, crossProcessEnvironment, until, type NodeStats } from './support/cross-process-env.js';
import { readHandled, recordFolder } from './support/handled-records.js';
import type { NodeProcess } from './support/node-process.js';
import { groupCreated } from './support/stream-groups.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SECRET = 'durable-kill-secret';
const CONFIG = { secret: SECRET, heartbeatIntervalMs: 200, nodeTimeoutMs: 1_000 };
const PUBLICATIONS = 5_000;
const RATE = 1_000;
// 32 handlers of 10 ms in flight: the consumer keeps up (3,200/s) with handlers always running, so the kill
// lands mid-handler, and it catches up with what accumulated while it was down.
const CONSUMER = { channel: 'audit', pattern: 'kill:*', concurrency: 32, handlerMs: 10, ackTimeoutMs: 2_000 };

interface KillRun {
  published: string[];
  recordFile: string;
  /** The consumer's `pending` (delivered, unacknowledged) just before the SIGKILL. */
  pendingAtKill: number;
  restarted: NodeProcess;
}

describeWithRedis('A consumer process killed with SIGKILL mid-stream and restarted (two processes, real Redis)', () => {
  const env = crossProcessEnvironment();
  const records = recordFolder();

  /** Publisher streams PUBLICATIONS audit messages at RATE; the consumer is SIGKILLed a fifth of the way in and restarted. */
  async function killAndRestart(durable: string | undefined): Promise<KillRun> {
    const recordFile = records.file(durable ?? 'live');
    const subscription = { name: 'audit', ...CONSUMER, durable, recordTo: recordFile };
    const [publisher, consumer] = await Promise.all([env.spawn('publisher', CONFIG), env.spawn('consumer', CONFIG)]);
    await consumer.request('subscribe', subscription);
    await until(
      () => publisher.request<NodeStats>('stats'),
      (s) => s.nodes.length === 2,
      10_000,
      'discovery',
    );
    if (durable !== undefined) await groupCreated(env.server.url, env.prefix, 'audit', durable);
    const streaming = publisher.request<{ ok: number; ids: string[] }>(
      'stream',
      { channel: 'audit', topic: 'kill:record', rate: RATE, count: PUBLICATIONS, ids: true },
      60_000,
    );
    await until(
      async () => readHandled(recordFile).records.length,
      (n) => n >= PUBLICATIONS / 5,
      20_000,
      'the consumer to handle a fifth of the stream',
    );
    // A durable consumer is killed while it holds unacknowledged messages: one stats sample can land between two
    // reads on a loaded host.
    const atKill = await until(
      () => consumer.request<NodeStats>('stats'),
      (s) => durable === undefined || channelStats(s, 'audit').pending > 0,
      20_000,
      'the consumer to hold unacknowledged messages',
    );
    const pendingAtKill = channelStats(atKill, 'audit').pending;
    await consumer.kill(); // SIGKILL: no drain, no acknowledgement, no goodbye
    await sleep(1_500);
    const restarted = await env.spawn('consumer', CONFIG);
    await restarted.request('subscribe', subscription);
    const { ok, ids } = await streaming;
    expect(ok).toBe(PUBLICATIONS);
    return { published: ids, recordFile, pendingAtKill, restarted };
  }

  it('without durable (at-most-once): what was published while the consumer was down never reaches it', async () => {
    const run = await killAndRestart(undefined);
    // Let anything still on its way arrive: the restarted consumer goes quiet once the stream has ended.
    let before = -1;
    for (;;) {
      await sleep(1_000);
      const now = readHandled(run.recordFile).records.length;
      if (now === before) break;
      before = now;
    }
    const handled = readHandled(run.recordFile);
    const missing = run.published.filter((id) => !handled.ids.has(id));
    console.log(`At-most-once, consumer SIGKILLed and restarted: ${missing.length} of ${PUBLICATIONS} never handled`);
    expect(missing.length).toBeGreaterThan(RATE); // at least the 1.5 s it was down, at 1,000 msg/s
    expect(handled.maxDeliveryCount).toBe(1);
  }, 90_000);

  it('durable: every published message is handled at least once, redelivered ones with deliveryCount > 1', async () => {
    const run = await killAndRestart('audit-writer');
    expect(run.pendingAtKill).toBeGreaterThan(0); // killed with handler calls in flight
    const handled = await until(
      async () => readHandled(run.recordFile),
      (h) => run.published.every((id) => h.ids.has(id)),
      30_000,
      `every one of the ${PUBLICATIONS} publications handled`,
    ).catch((error: Error) => {
      const h = readHandled(run.recordFile);
      const missing = run.published.filter((id) => !h.ids.has(id));
      throw new Error(
        `${missing.length} of ${PUBLICATIONS} never handled (e.g. ${missing.slice(0, 3).join(', ')}): ${error.message.slice(0, 200)}`,
      );
    });
    const duplicates = handled.records.length - handled.ids.size;
    const redelivered = handled.records.filter((r) => r.deliveryCount > 1).length;
    console.log(
      `Durable, consumer SIGKILLed mid-handler (${run.pendingAtKill} in flight) and restarted: ${handled.ids.size} distinct of ${PUBLICATIONS}, ` +
        `${duplicates} handled twice, ${redelivered} handler calls with deliveryCount > 1`,
    );
    expect(handled.ids.size).toBe(PUBLICATIONS);
    const published = new Set(run.published);
    expect([...handled.ids].every((id) => published.has(id))).toBe(true);
    expect(handled.maxDeliveryCount).toBeGreaterThan(1); // the calls the kill interrupted came back
    // Whatever was handled twice was a redelivery, not a second copy of the message.
    for (const [id, times] of handled.times)
      if (times > 1) expect(handled.records.some((r) => r.id === id && r.deliveryCount > 1)).toBe(true);
    const stats = channelStats(await run.restarted.request<NodeStats>('stats'), 'audit');
    expect(stats.redelivered).toBeGreaterThan(0);
    expect(stats.lost).toBe(0);
    await until(
      async () => channelStats(await run.restarted.request<NodeStats>('stats'), 'audit').pending,
      (pending) => pending === 0,
      10_000,
      'every delivery acknowledged',
    );
  }, 120_000);
});
