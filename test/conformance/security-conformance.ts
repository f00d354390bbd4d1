import type { ChannelName } from '../../libs/pubsub/src/channels/channel-names.js';
import type { PubSubMessage } from '../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../libs/pubsub/src/security/pubsub-security.js';
import { FrameCodec } from '../../libs/pubsub/src/transport/wire-frame.js';
import { eventually, sleep, type ClusterOptions, type TestCluster, type TestNode } from './cluster-harness.js';

export const SECRET = 'conformance-secret-key';

type Entry = { message: Partial<PubSubMessage>; seq: number };

/** Frames as a node holding `key` would send them (one run, numbered frames): the forger's tool when the key is wrong. */
export function frameMaker(
  key: string,
  node: string,
  epoch: string,
): ((entries: Entry[]) => string) & { heartbeat(sent: Record<string, number>): string } {
  const codec = new FrameCodec(node, epoch, new PubSubSecurity({ secretKeyBase: key }));
  const data = (entries: Entry[]) =>
    codec.encode(
      'd',
      entries.map(({ message, seq }) =>
        codec.encodeEntry(
          {
            id: `${epoch}-${seq}`,
            channel: 'events',
            topic: 'orders:created',
            type: 'order_created',
            payload: {},
            timestamp: Date.now(),
            node,
            ...message,
          },
          seq,
        )!,
      ),
    );
  const heartbeat = (sent: Record<string, number>) => codec.encode('h', [], new Map(Object.entries(sent) as [ChannelName, number][]));
  return Object.assign(data, { heartbeat });
}

export function craftFrame(key: string, node: string, epoch: string, entries: Entry[]): string {
  return frameMaker(key, node, epoch)(entries);
}

/** The wire-security part of the conformance suite: what fails validation is never delivered, counted, reported. */
export function securityConformance(
  newCluster: (options?: ClusterOptions) => TestCluster,
  flushed: (from: TestNode, to: TestNode) => Promise<void>,
): void {
  describe('wire security', () => {
    async function securedPair() {
      const cluster = newCluster({ secret: SECRET });
      const [a, b] = await cluster.nodesThatKnowEachOther('node-a', 'node-b');
      const orders = b.inbox('events', 'orders:*');
      const violations = b.inbox('security', 'access_violations');
      return { cluster, a, b, orders, violations };
    }

    function expectViolation(violations: { messages: PubSubMessage[] }, error: string): void {
      expect(violations.messages.map((m) => (m.payload as { metadata: { error: string } }).metadata.error)).toContain(error);
      const violation = violations.messages.find((m) => (m.payload as { metadata: { error: string } }).metadata.error === error)!;
      expect(violation).toMatchObject({
        channel: 'security',
        topic: 'access_violations',
        type: 'access_violation',
        node: 'node-b',
        payload: { violationType: 'invalid_signature', action: 'receive', timestamp: expect.any(Number) },
      });
      expect(typeof (violation.payload as { resource: unknown }).resource).toBe('string');
    }

    it('rejects a forged frame (wrong key), even one claiming to come from a real node', async () => {
      const { cluster, a, b, orders, violations } = await securedPair();
      await cluster.inject(craftFrame('not-the-secret', 'node-a', 'f0f0f0f0f0f0', [{ message: { payload: { forged: true } }, seq: 1 }]));
      await violations.until(1);
      await flushed(a, b);
      expect(orders.messages).toEqual([]);
      expectViolation(violations, 'invalid_signature');
      expect(b.channels.channel('events').stats().failedPublications).toBe(1);
      expect(b.transport.stats().rejected).toEqual({ invalid_signature: 1 });
      expect(b.logs.some((line) => line.startsWith('warn:') && line.includes('invalid_signature'))).toBe(true);
    });

    it('rejects a tampered frame and a replayed one, delivering the original exactly once', async () => {
      const { cluster, a, b, orders, violations } = await securedPair();
      const tap = await cluster.tap();
      a.channels.channel('events').publish('orders:created', 'order_created', { amount: 'tamper-me-1234' });
      await orders.until(1);
      await eventually(() => tap.frames.some((frame) => frame.includes('tamper-me-1234')));
      await tap.stop();
      const original = tap.frames.find((frame) => frame.includes('tamper-me-1234'))!;
      await cluster.inject(original.replace('tamper-me-1234', 'tamper-me-9999'));
      await cluster.inject(original);
      await violations.until(2);
      await flushed(a, b);
      expect(orders.messages.map((m) => m.payload)).toEqual([{ amount: 'tamper-me-1234' }]);
      expectViolation(violations, 'invalid_signature');
      expectViolation(violations, 'replayed');
      expect(b.transport.stats().rejected).toEqual({ invalid_signature: 1, replayed: 1 });
      expect(b.channels.channel('events').stats().failedPublications).toBe(2);
    });

    it('rejects malformed and unsigned wire messages', async () => {
      const { cluster, a, b, orders, violations } = await securedPair();
      const unsigned = {
        id: 'plain-1',
        channel: 'events',
        topic: 'orders:created',
        type: 'order_created',
        payload: {},
        timestamp: Date.now(),
        node: 'node-a',
      };
      for (const text of ['not json at all', '{"hello":1}', '[]', JSON.stringify(unsigned)]) await cluster.inject(text);
      await violations.until(4);
      await flushed(a, b);
      expect(orders.messages).toEqual([]);
      expect(b.transport.stats().rejected).toEqual({ invalid_format: 3, unsecured_message_rejected: 1 });
      expectViolation(violations, 'unsecured_message_rejected');
      expect(b.channels.channel('events').stats().failedPublications).toBe(1);
      expect(b.channels.channel('security').stats().failedPublications).toBe(3);
    });

    it('counts sequence gaps in lost and drops duplicates silently', async () => {
      const { cluster, a, b, orders, violations } = await securedPair();
      const epoch = 'abcdefabcdef';
      const make = frameMaker(SECRET, 'node-z', epoch);
      const frame = (seq: number) => make([{ message: { id: `z-${seq}-${Math.random()}`, payload: seq }, seq }]);
      await cluster.inject(frame(1));
      await cluster.inject(frame(5));
      await cluster.inject(frame(5)); // a re-sent copy (new frame, same sequence number)
      await cluster.inject(frame(6));
      await orders.until(3);
      await flushed(a, b);
      await sleep(20);
      expect(orders.messages.map((m) => m.payload)).toEqual([1, 5, 6]);
      expect(b.channels.channel('events').stats().lost).toBe(3);
      expect(b.transport.stats()).toMatchObject({ lost: 3, duplicates: 1, rejected: {} });
      expect(violations.messages).toEqual([]);
    });

    it('counts messages a heartbeat says were sent but never arrived, even when nothing follows them', async () => {
      const { cluster, a, b, orders } = await securedPair();
      const make = frameMaker(SECRET, 'node-y', 'bcdefabcdefa');
      await cluster.inject(make.heartbeat({})); // joins: nothing sent yet
      await cluster.inject(make([{ message: { payload: 1 }, seq: 1 }]));
      await orders.until(1);
      await cluster.inject(make.heartbeat({ events: 4, metrics: 2 }));
      await eventually(() => b.channels.channel('events').stats().lost === 3);
      await flushed(a, b);
      expect(b.channels.channel('metrics').stats().lost).toBe(2);
      expect(b.transport.stats().lost).toBe(5);
      expect(b.transport.nodes()).toContain('node-y');
    });

    it('accepts messages signed with any configured key (rotation), signing with the first', async () => {
      const cluster = newCluster();
      const a = await cluster.node('node-a', { secret: ['new-key', 'old-key'] });
      const b = await cluster.node('node-b', { secret: ['old-key'] });
      const orders = b.inbox('events', 'orders:*');
      await cluster.inject(craftFrame('old-key', 'node-c', '0123456789ab', [{ message: { payload: 'old' }, seq: 1 }]));
      const onA = a.inbox('events', 'orders:*');
      await cluster.inject(craftFrame('old-key', 'node-d', '0123456789ac', [{ message: { payload: 'old' }, seq: 1 }]));
      await onA.until(1);
      await orders.until(2);
      expect(a.transport.stats().rejected).toEqual({});
    });
  });
}
