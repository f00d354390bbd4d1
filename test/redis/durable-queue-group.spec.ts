import { describeWithRedis } from './support/describe-with-redis.js';
import { channelStats, crossProcessEnvironment, until, type NodeStats } from './support/cross-process-env.js';
import { readHandled, recordFolder, type Handled } from './support/handled-records.js';
import type { NodeProcess } from './support/node-process.js';
import { groupCreated } from './support/stream-groups.js';

const SECRET = 'durable-group-secret';
const CONFIG = { secret: SECRET, heartbeatIntervalMs: 200, nodeTimeoutMs: 1_000 };
const RATE = 600;
// 8 handlers of 20 ms: one member alone takes at most 400 msg/s, so at 600 msg/s both must take a share.
const MEMBER = { channel: 'audit', pattern: 'group:*', durable: 'audit-writer', concurrency: 8, handlerMs: 20, ackTimeoutMs: 2_000 };

describeWithRedis('A durable name shared by two consumer processes (queue group, real Redis)', () => {
  const env = crossProcessEnvironment();
  const records = recordFolder();

  async function group(): Promise<{ publisher: NodeProcess; members: NodeProcess[]; files: string[] }> {
    const files = [records.file('member-a'), records.file('member-b')];
    const [publisher, ...members] = await Promise.all([
      env.spawn('publisher', CONFIG),
      env.spawn('member-a', CONFIG),
      env.spawn('member-b', CONFIG),
    ]);
    await Promise.all(members.map((member, i) => member.request('subscribe', { name: 'audit', ...MEMBER, recordTo: files[i] })));
    await until(
      () => publisher.request<NodeStats>('stats'),
      (s) => s.nodes.length === 3,
      10_000,
      'discovery',
    );
    await groupCreated(env.server.url, env.prefix, 'audit', MEMBER.durable);
    return { publisher, members, files };
  }

  const stream = (publisher: NodeProcess, count: number) =>
    publisher.request<{ ok: number; ids: string[] }>(
      'stream',
      { channel: 'audit', topic: 'group:record', rate: RATE, count, ids: true },
      60_000,
    );

  const allHandled = (files: string[], published: string[], what: string) =>
    until(
      async () => readHandled(...files),
      (h: Handled) => published.every((id) => h.ids.has(id)),
      30_000,
      what,
    );

  it('while both live, each message is handled by exactly one of them, and both take a share', async () => {
    const { publisher, members, files } = await group();
    const { ok, ids } = await stream(publisher, 3_000);
    expect(ok).toBe(3_000);
    const union = await allHandled(files, ids, 'every publication handled by the group');
    const [a, b] = files.map((file) => readHandled(file));
    console.log(`Queue group over two processes: member-a ${a.records.length}, member-b ${b.records.length} of 3000`);
    expect(union.records.length).toBe(3_000); // no message handled twice
    expect(union.ids.size).toBe(3_000);
    expect([...a.ids].some((id) => b.ids.has(id))).toBe(false);
    for (const member of [a, b]) expect(member.records.length).toBeGreaterThan(300);
    expect(union.maxDeliveryCount).toBe(1);
    for (const member of members)
      expect(channelStats(await member.request<NodeStats>('stats'), 'audit')).toMatchObject({ lost: 0, redelivered: 0 });
  }, 90_000);

  it('when one member is SIGKILLed mid-stream, the other handles the rest and the killed one’s unacknowledged messages', async () => {
    const { publisher, members, files } = await group();
    const streaming = stream(publisher, 4_000);
    await until(
      async () => readHandled(files[0]).records.length,
      (n) => n >= 400,
      20_000,
      'member-a to handle a share',
    );
    // Kill it while it holds unacknowledged messages: one stats sample can land between two reads on a loaded host.
    const pendingAtKill = channelStats(
      await until(
        () => members[0].request<NodeStats>('stats'),
        (s) => channelStats(s, 'audit').pending > 0,
        20_000,
        'member-a to hold unacknowledged messages',
      ),
      'audit',
    ).pending;
    await members[0].kill();
    const { ok, ids } = await streaming;
    expect(ok).toBe(4_000);
    const union = await allHandled(files, ids, 'every publication handled by the group (at least once)');
    const afterKill = readHandled(files[1]);
    console.log(
      `Queue group, member-a SIGKILLed with ${pendingAtKill} in flight: ${union.ids.size} distinct of 4000, ` +
        `${union.records.length - union.ids.size} handled twice, member-b took ${afterKill.records.filter((r) => r.deliveryCount > 1).length} redeliveries`,
    );
    expect(pendingAtKill).toBeGreaterThan(0);
    expect(union.ids.size).toBe(4_000);
    expect(afterKill.maxDeliveryCount).toBeGreaterThan(1); // member-b got what member-a had in hand
    for (const [id, times] of union.times) if (times > 1) expect(union.records.some((r) => r.id === id && r.deliveryCount > 1)).toBe(true);
    expect(channelStats(await members[1].request<NodeStats>('stats'), 'audit').lost).toBe(0);
  }, 90_000);
});
