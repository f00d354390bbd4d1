import { matchTopic } from '../../libs/pubsub/src/routing/match-topic.js';
import { eventually, sleep, TestCluster, type Backend, type Inbox, type TestNode } from './cluster-harness.js';
import { securityConformance } from './security-conformance.js';

/**
 * One suite, run unchanged against every transport (as Phoenix.PubSub runs its shared suite against each
 * adapter): `memory.spec.ts` runs it over the in-process hub, `redis.spec.ts` over a real redis-server.
 */
export function transportConformance(backend: Backend): void {
  let cluster: TestCluster | undefined;
  const newCluster = (options = {}) => (cluster = new TestCluster(backend, options));

  beforeAll(() => backend.setup(), 30_000);
  afterAll(() => backend.teardown(), 30_000);
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  /** Publishes a sentinel after the rest and waits for it at `to`: same publisher, so all before it arrived. */
  async function flushed(from: TestNode, to: TestNode): Promise<void> {
    const sentinel = to.inbox('system', 'conformance:sentinel');
    expect(from.channels.channel('system').publish('conformance:sentinel', 'sentinel', null).ok).toBe(true);
    await sentinel.until(1);
    await to.channels.drain(2_000);
    await from.channels.drain(2_000);
  }

  describe(`transport conformance (${backend.name})`, () => {
    describe('delivery across nodes', () => {
      it('matches patterns exactly as local delivery does (inner * is one segment, trailing * one or more)', async () => {
        const [a, b] = await newCluster().nodesThatKnowEachOther('node-a', 'node-b');
        const patterns = ['a:*:c', 'sub:*', 'x', '*:y', '*'];
        const topics = ['a:b:c', 'a:b:x:c', 'sub', 'sub:1', 'sub:1:2', 'x', 'x:y', 'q:y', 'q:r:y', 'a:c'];
        const inboxes = (node: TestNode) => new Map(patterns.map((p) => [p, node.inbox('events', p, { mailboxSize: 100 })] as const));
        const [local, remote] = [inboxes(a), inboxes(b)];
        for (const topic of topics) expect(a.channels.channel('events').publish(topic, 'probe', topic).ok).toBe(true);
        await flushed(a, b);
        const received = (inbox: Inbox) => inbox.messages.map((m) => m.payload);
        for (const pattern of patterns) {
          const expected = topics.filter((topic) => matchTopic(pattern, topic));
          expect({ pattern, topics: received(remote.get(pattern)!) }).toEqual({ pattern, topics: expected });
          expect({ pattern, topics: received(local.get(pattern)!) }).toEqual({ pattern, topics: expected });
        }
        expect(received(remote.get('a:*:c')!)).not.toContain('a:b:x:c');
        expect(received(remote.get('sub:*')!)).not.toContain('sub');
      });

      it('keeps channels isolated: the same topic on another channel never crosses', async () => {
        const [a, b] = await newCluster().nodesThatKnowEachOther('node-a', 'node-b');
        const metrics = b.inbox('metrics', 'shared:topic');
        const events = b.inbox('events', 'shared:topic');
        a.channels.channel('events').publish('shared:topic', 'only_events', 1);
        await flushed(a, b);
        expect(events.messages.map((m) => m.type)).toEqual(['only_events']);
        expect(metrics.messages).toEqual([]);
        expect(events.messages[0]).toMatchObject({ channel: 'events', node: 'node-a' });
      });

      it("gives the publisher's own subscribers each message exactly once", async () => {
        const [a, b] = await newCluster().nodesThatKnowEachOther('node-a', 'node-b');
        const own = a.inbox('events', 'once:*');
        const other = b.inbox('events', 'once:*');
        for (let i = 0; i < 20; i++) a.channels.channel('events').publish(`once:${i}`, 'once', i);
        await other.until(20);
        await flushed(a, b);
        await sleep(50);
        expect(own.messages.map((m) => m.payload)).toEqual([...Array(20).keys()]);
        expect(other.messages.map((m) => m.payload)).toEqual([...Array(20).keys()]);
      });

      it('keeps local: true on the publishing node', async () => {
        const [a, b] = await newCluster().nodesThatKnowEachOther('node-a', 'node-b');
        const own = a.inbox('events', 'scope:*');
        const other = b.inbox('events', 'scope:*');
        a.channels.channel('events').publish('scope:local', 'local_only', null, { local: true });
        a.channels.channel('events').publish('scope:shared', 'shared', null);
        await flushed(a, b);
        expect(own.messages.map((m) => m.type).sort()).toEqual(['local_only', 'shared']);
        expect(other.messages.map((m) => m.type)).toEqual(['shared']);
      });

      it("keeps each publisher's order (2,000 messages from each of two nodes)", async () => {
        const [a, b, c] = await newCluster().nodesThatKnowEachOther('node-a', 'node-b', 'node-c');
        const inbox = c.inbox('events', 'order:*', { mailboxSize: 10_000 });
        for (let i = 0; i < 2_000; i++) {
          a.channels.channel('events').publish('order:a', 'n', i);
          b.channels.channel('events').publish('order:b', 'n', i);
        }
        await inbox.until(4_000, 10_000);
        for (const node of ['node-a', 'node-b']) {
          const sequence = inbox.messages.filter((m) => m.node === node).map((m) => m.payload);
          expect(sequence).toEqual([...Array(2_000).keys()]);
        }
        expect(c.channels.channel('events').stats().lost).toBe(0);
      });

      it('delivers payloads verbatim (null, {}, [], strings, nested values)', async () => {
        const [a, b] = await newCluster().nodesThatKnowEachOther('node-a', 'node-b');
        const payloads: unknown[] = [null, {}, [], '', 'text', 0, -1.5, false, true, { a: [1, { b: null }], ü: '€ 𝄞' }, [[]]];
        const inbox = b.inbox('events', 'payload:*');
        const sent = payloads.map((payload, i) => {
          const result = a.channels.channel('events').publish(`payload:${i}`, 'payload', payload);
          expect(result.ok).toBe(true);
          return result.ok ? result.id : '';
        });
        await inbox.until(payloads.length);
        expect(inbox.messages.map((m) => m.payload)).toEqual(payloads);
        expect(inbox.messages.map((m) => m.id)).toEqual(sent);
        expect(inbox.messages.every((m) => m.node === 'node-a' && typeof m.timestamp === 'number')).toBe(true);
      });
    });

    securityConformance(newCluster, flushed);

    describe('membership', () => {
      it('lists live nodes and announces a join on lifecycle cluster_membership', async () => {
        const c = newCluster();
        const a = await c.node('node-a');
        const changes = a.inbox('lifecycle', 'cluster_membership');
        expect(a.transport.nodes()).toEqual(['node-a']);
        const b = await c.node('node-b');
        await eventually(() => a.transport.nodes().length === 2 && b.transport.nodes().length === 2);
        expect(a.transport.nodes()).toEqual(['node-a', 'node-b']);
        expect(b.transport.nodes()).toEqual(['node-a', 'node-b']);
        await changes.until(1);
        expect(changes.messages[0]).toMatchObject({
          type: 'cluster_membership_changed',
          channel: 'lifecycle',
          payload: { event: 'node_added', affectedNodes: ['node-b'], activeNodes: ['node-a', 'node-b'], totalNodes: 2 },
        });
      });

      it('announces a graceful leave at once, without a failure alert', async () => {
        const c = newCluster({ nodeTimeoutMs: 5_000, heartbeatIntervalMs: 1_000 });
        const [a, b] = await c.nodesThatKnowEachOther('node-a', 'node-b');
        const changes = a.inbox('lifecycle', 'cluster_membership');
        const started = Date.now();
        await b.close();
        await changes.until(1, 2_000);
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(changes.messages[0].payload).toMatchObject({ event: 'node_removed', affectedNodes: ['node-b'], activeNodes: ['node-a'] });
        expect(a.transport.nodes()).toEqual(['node-a']);
        expect(a.alerts.filter((alert) => alert.rule === 'node_failure')).toEqual([]);
      });

      it('drops a silent node after nodeTimeoutMs with a node_failure alert', async () => {
        const c = newCluster({ heartbeatIntervalMs: 100, nodeTimeoutMs: 500 });
        const [a, b] = await c.nodesThatKnowEachOther('node-a', 'node-b');
        const changes = a.inbox('lifecycle', 'cluster_membership');
        const started = Date.now();
        b.transport.abort();
        await changes.until(1, 3_000);
        expect(Date.now() - started).toBeGreaterThanOrEqual(400);
        expect(changes.messages[0].payload).toMatchObject({ event: 'node_removed', affectedNodes: ['node-b'], originatingNode: 'node-a' });
        expect(a.transport.nodes()).toEqual(['node-a']);
        expect(a.alerts).toContainEqual(expect.objectContaining({ rule: 'node_failure', severity: 'critical' }));
        expect(a.transport.nodes()).not.toContain(b.name);
      });
    });

    describe('outages', () => {
      it('starts while the backend is down, keeps local delivery, alerts, and delivers what waited once it is back', async () => {
        const c = newCluster({ heartbeatIntervalMs: 100, nodeTimeoutMs: 2_000 });
        const [a, b] = await c.nodesThatKnowEachOther('node-a', 'node-b');
        const remote = b.inbox('events', 'outage:*', { mailboxSize: 1_000 });
        const own = a.inbox('events', 'outage:*', { mailboxSize: 1_000 });
        await backend.interrupt(c.prefix);
        await eventually(
          () => [a, b].every((n) => n.alerts.some((alert) => alert.rule === 'transport_down')),
          5_000,
          () => 'no transport_down',
        );

        const started = Date.now();
        const late = await c.node('node-c');
        expect(Date.now() - started).toBeLessThan(3_500);
        expect(late.alerts).toContainEqual(expect.objectContaining({ rule: 'transport_down' }));

        for (let i = 0; i < 50; i++) expect(a.channels.channel('events').publish(`outage:${i}`, 'during', i).ok).toBe(true);
        await own.until(50);
        await backend.restore(c.prefix);
        await remote.until(50, 10_000);
        expect(remote.messages.map((m) => m.payload)).toEqual([...Array(50).keys()]);
        for (const node of [a, b, late]) {
          await eventually(
            () => node.alerts.some((alert) => alert.rule === 'transport_up'),
            10_000,
            () => `${node.name}: no transport_up`,
          );
        }
        await eventually(
          () => late.transport.nodes().length === 3,
          5_000,
          () => `node-c sees ${late.transport.nodes().join(',')}`,
        );
        expect(a.channels.channel('events').stats().failedPublications).toBe(0);
        expect(b.channels.channel('events').stats().lost).toBe(0);
      }, 30_000);
    });
  });
}
