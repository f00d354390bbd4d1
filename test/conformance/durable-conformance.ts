import type { DeadLetterPayload, PubSubMessage } from '@gater/pubsub';
import type { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import { deferred, waitFor } from '../support/channels.js';

/** How a backend's spec gives the suite a running node whose `audit` channel is retained. */
export interface DurableTarget {
  name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A node (channels of one application) using this backend; closed by the suite after each test. */
  open(options?: { auditRetention?: { maxMessages?: number; maxAgeMs?: number } }): Promise<ChannelSet>;
  /** Closes every node opened since the last call. */
  closeAll(): Promise<void>;
}

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The semantics of durable subscriptions, run unchanged against each DurableBackend (memory here, Redis
 * Streams in its own spec): ack after the handler, redelivery, queue groups, resume, lost, dead letters.
 */
export function durableConformance(target: DurableTarget): void {
  beforeAll(() => target.setup(), 30_000);
  afterAll(() => target.teardown(), 30_000);
  afterEach(() => target.closeAll());

  describe(`durable conformance (${target.name})`, () => {
    it('acknowledges only after the handler finished; pending counts what is in progress', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      const gate = deferred();
      const seen: PubSubMessage[] = [];
      audit.subscribe(
        'a:*',
        async (m) => {
          seen.push(m);
          await gate.promise;
        },
        { durable: 'worker' },
      );
      audit.publish('a:1', 't', 1);
      await waitFor(() => seen.length === 1, 'first delivery');
      expect(seen[0].deliveryCount).toBe(1);
      expect(audit.stats()).toMatchObject({ pending: 1, acked: 0 });
      gate.resolve();
      await waitFor(() => audit.stats().acked === 1, 'ack');
      expect(audit.stats()).toMatchObject({ pending: 0, delivered: 1, redelivered: 0 });
    });

    it('starts at the end of the log unless replay is asked for', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      audit.publish('a:1', 't', 'before');
      const plain: unknown[] = [];
      const replaying: unknown[] = [];
      audit.subscribe('a:*', (m) => void plain.push(m.payload), { durable: 'plain' });
      audit.subscribe('a:*', (m) => void replaying.push(m.payload), { durable: 'replaying', replay: 10 });
      audit.publish('a:1', 't', 'after');
      await waitFor(() => plain.length === 1 && replaying.length === 2, 'deliveries');
      expect(plain).toEqual(['after']);
      expect(replaying).toEqual(['before', 'after']);
    });

    it('resumes after unsubscribe/resubscribe from where it stopped, unacknowledged messages included', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      const first: unknown[] = [];
      const hang = deferred();
      const sub = audit.subscribe(
        'a:*',
        async (m) => {
          first.push(m.payload);
          if (m.payload === 3) await hang.promise;
        },
        { durable: 'worker' },
      );
      for (const n of range(3)) audit.publish('a:1', 't', n);
      await waitFor(() => first.length === 3, 'first three');
      sub.unsubscribe(); // message 3 is still in its handler: never acknowledged
      for (const n of range(3, 4)) audit.publish('a:1', 't', n);
      const second: PubSubMessage[] = [];
      audit.subscribe('a:*', (m) => void second.push(m), { durable: 'worker' });
      await waitFor(() => second.length === 4, 'resumed');
      expect(second.map((m) => m.payload)).toEqual([3, 4, 5, 6]);
      expect(second[0].deliveryCount).toBe(2);
      expect(audit.stats().redelivered).toBe(1);
      hang.resolve();
    });

    it('redelivers after ackTimeoutMs with deliveryCount + 1 and the same id', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      const calls: PubSubMessage[] = [];
      const stuck = deferred();
      audit.subscribe(
        'a:*',
        (m) => {
          calls.push(m);
          return m.deliveryCount === 1 ? stuck.promise : undefined;
        },
        { durable: 'worker', ackTimeoutMs: 50, concurrency: 2 },
      );
      audit.publish('a:1', 't', 'x');
      await waitFor(() => calls.length === 2, 'redelivery', 3_000);
      expect(calls.map((m) => m.deliveryCount)).toEqual([1, 2]);
      expect(calls[1].id).toBe(calls[0].id);
      await waitFor(() => audit.stats().acked === 1, 'ack of the redelivery');
      stuck.resolve(); // the late outcome of the first delivery changes nothing
      await tick(10);
      expect(audit.stats()).toMatchObject({ acked: 1, pending: 0 });
    });

    it('a queue group: subscriptions sharing a durable name get distinct messages, all of them', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      const byMember: number[][] = [[], [], []];
      byMember.forEach((got) =>
        audit.subscribe(
          'a:*',
          async (m) => {
            got.push(m.payload as number);
            await tick(1);
          },
          { durable: 'group' },
        ),
      );
      for (const n of range(60)) audit.publish('a:1', 't', n);
      await waitFor(() => byMember.flat().length === 60, 'all handled', 5_000);
      await tick(20);
      expect(byMember.flat().sort((a, b) => a - b)).toEqual(range(60));
      for (const got of byMember) expect(got.length).toBeGreaterThan(0);
    });

    it('retries failures then dead-letters after maxDeliveries, and acknowledges', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      const deadLetters: DeadLetterPayload[] = [];
      set.channel('diagnostics').subscribe('dead_letter:*', (m) => void deadLetters.push(m.payload as DeadLetterPayload));
      const counts: number[] = [];
      audit.subscribe(
        'a:*',
        (m) => {
          counts.push(m.deliveryCount!);
          throw new Error('nope');
        },
        { durable: 'worker', maxDeliveries: 3, retryDelayMs: 1, retryMaxDelayMs: 4 },
      );
      audit.publish('a:1', 't', 'x');
      await waitFor(() => deadLetters.length === 1, 'dead letter');
      expect(counts).toEqual([1, 2, 3]);
      expect(deadLetters[0]).toMatchObject({ attempts: 3, error: 'nope' });
      expect(audit.stats()).toMatchObject({ acked: 1, handlerErrors: 3, redelivered: 2, pending: 0 });
    });

    it('maxDeliveries defaults to retries + 1, at least 5', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      const counts: number[] = [];
      audit.subscribe(
        'a:*',
        (m) => {
          counts.push(m.deliveryCount!);
          throw new Error('x');
        },
        { durable: 'w' },
      );
      audit.subscribe(
        'b:*',
        (m) => {
          counts.push(m.deliveryCount!);
          throw new Error('x');
        },
        { durable: 'v', retries: 6 },
      );
      audit.publish('a:1', 't');
      await waitFor(() => audit.stats().acked === 1, 'a dead-lettered');
      expect(Math.max(...counts)).toBe(5);
      counts.length = 0;
      audit.publish('b:1', 't');
      await waitFor(() => audit.stats().acked === 2, 'b dead-lettered');
      expect(Math.max(...counts)).toBe(7);
    });

    it('a waiting retry does not hold back the other deliveries of a concurrent member', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      const handled: unknown[] = [];
      audit.subscribe(
        'a:*',
        (m) => {
          if (m.payload === 'bad' && m.deliveryCount === 1) throw new Error('later');
          handled.push(m.payload);
        },
        { durable: 'w', concurrency: 2, retryDelayMs: 300, retryMaxDelayMs: 300 },
      );
      audit.publish('a:1', 't', 'bad');
      for (const n of range(5)) audit.publish('a:1', 't', n);
      await waitFor(() => handled.length === 5, 'others handled meanwhile', 1_000);
      expect(handled).toEqual([1, 2, 3, 4, 5]);
      await waitFor(() => handled.length === 6, 'retry', 3_000);
      expect(handled[5]).toBe('bad');
    });

    it('messages that fell out of retention before the group read them are counted in lost', async () => {
      const set = await target.open({ auditRetention: { maxMessages: 3 } });
      const audit = set.channel('audit');
      const got: unknown[] = [];
      const sub = audit.subscribe('a:*', (m) => void got.push(m.payload), { durable: 'w' });
      sub.unsubscribe();
      for (const n of range(10)) audit.publish('a:1', 't', n);
      audit.subscribe('a:*', (m) => void got.push(m.payload), { durable: 'w' });
      await waitFor(() => got.length === 3, 'what is retained');
      expect(got).toEqual([8, 9, 10]);
      expect(audit.stats().lost).toBe(7);
    });

    it('durableLag reports backlog and age for a name nobody runs', async () => {
      const set = await target.open();
      const audit = set.channel('audit');
      audit.subscribe('a:*', () => undefined, { durable: 'w' }).unsubscribe();
      for (const n of range(4)) audit.publish('a:1', 't', n);
      // A backend that keeps its groups elsewhere (Redis) reports the lag it last read: wait for it to catch up.
      await waitFor(() => audit.durableLag()[0]?.backlog === 4, 'lag of the four messages');
      const [lag] = audit.durableLag();
      expect(lag).toMatchObject({ durable: 'w', pending: 0, backlog: 4 });
      expect(lag.oldestMs).toBeGreaterThanOrEqual(0);
      expect(lag.oldestMs).toBeLessThan(5_000);
    });
  });
}
