import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import type { PubSubMessage } from '../../libs/pubsub/src/channels/channel.types.js';
import { echoesAfterTransactions } from '../../libs/pubsub/src/transport/redis-bus.js';
import { RecordingLogger, waitFor } from '../support/channels.js';
import { useCoreNodes } from './support/core-nodes.js';
import { describeWithRedis } from './support/describe-with-redis.js';
import { groupCreated } from './support/stream-groups.js';

const SECRET = 'durable-gate-secret-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes `audit` records numbered from 0, `perTurn` per timer turn, until stopped; `count` is how many so far. */
function flood(channels: ChannelSet, perTurn = 50) {
  const state = { count: 0, refused: 0, stopped: false, done: Promise.resolve() };
  state.done = (async () => {
    while (!state.stopped) {
      for (let i = 0; i < perTurn; i++)
        if (!channels.channel('audit').publish('audit:record', 'recorded', { n: state.count++ }).ok) state.refused++;
      await sleep(1);
    }
  })();
  return state;
}

const numbers = (messages: PubSubMessage[]) => messages.map((m) => (m.payload as { n: number }).n);

/** 0..count-1 without gaps or repeats, in order: what one publisher's order and completeness look like. */
function expectRun(ns: number[], from: number, to: number): void {
  expect(ns).toHaveLength(to - from);
  ns.forEach((n, i) => expect(n).toBe(from + i));
}

describeWithRedis('the stream gate: a retained channel appends to its stream only once a durable group exists', () => {
  // One connection per node on a server of today; a second to publish on one that speaks RESP2 only.
  describe.each(['resp2-and-resp3', 'resp2-only'] as const)('on a server that speaks %s', (speaks) => {
    const nodes = useCoreNodes(SECRET, speaks);
    let redis: Redis;
    beforeEach(() => {
      redis = new Redis(nodes.url(), { maxRetriesPerRequest: 1 });
    });
    afterEach(() => redis.disconnect());

    /**
     * Redis's command counts while `publish(n)` runs for n = 0..99, one per event-loop turn, until `delivered()`:
     * how the frames of those publications went out.
     */
    async function commandCallsWhile(publish: (n: number) => unknown, delivered: () => boolean): Promise<(command: string) => number> {
      await redis.config('RESETSTAT');
      for (let n = 0; n < 100; n++) {
        publish(n);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await waitFor(delivered, 'the 100 deliveries', 10_000);
      const stats = await redis.info('commandstats');
      return (command) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    }

    const cluster = () => ({ prefix: `gate-${randomBytes(4).toString('hex')}` });
    /** A node publishes in transactions on a connection of its own (RESP2), or on one to Redis 7.2 or later. */
    const transactionsPossible = async () => speaks === 'resp2-only' || echoesAfterTransactions(await redis.info('server'));
    const streamOf = (on: { prefix: string }) => `${on.prefix}:stream:audit`;

    async function twoNodes(on: { prefix: string }) {
      const logger = new RecordingLogger();
      const a = await nodes.node('a', on, logger);
      const b = await nodes.node('b', on);
      await waitFor(() => nodes.transportOf(a).nodes().length === 2 && nodes.transportOf(b).nodes().length === 2, 'discovery');
      const live: PubSubMessage[] = [];
      b.channel('audit').subscribe('audit:*', (m) => void live.push(m), { mailboxSize: 1_000_000 });
      return { a, b, logger, live };
    }

    it('without a durable group, live delivery of a retained channel writes nothing to its stream (no entry signed or appended)', async () => {
      const on = cluster();
      const { a, b, live } = await twoNodes(on);
      for (let n = 0; n < 500; n++) expect(a.channel('audit').publish('audit:record', 'recorded', { n }).ok).toBe(true);
      await waitFor(() => live.length === 500, 'live delivery', 10_000);
      expectRun(numbers(live), 0, 500);
      expect(await redis.exists(streamOf(on))).toBe(0);
      expect(b.channel('audit').stats().retained).toBe(500); // recent() and replay still answer from every node's log

      b.channel('audit').subscribe('audit:*', () => undefined, { durable: 'archiver' });
      await groupCreated(nodes.url(), on.prefix, 'audit', 'archiver');
      for (let n = 500; n < 600; n++) a.channel('audit').publish('audit:record', 'recorded', { n });
      await waitFor(() => live.length === 600, 'live delivery after the group', 10_000);
      // Once a group exists, every publication is appended (after the 500 seeded from B's log).
      expect(await redis.xlen(streamOf(on))).toBe(600);
    });

    it('a first durable group created during a flood from another node gets every message published after it exists, once each, in order', async () => {
      const on = cluster();
      const { a, b, logger, live } = await twoNodes(on);
      const durable: PubSubMessage[] = [];
      const publishing = flood(a);
      await waitFor(() => publishing.count >= 1_000, 'the flood to start');
      b.channel('audit').subscribe('audit:*', (m) => void durable.push(m), { durable: 'archiver' });
      await groupCreated(nodes.url(), on.prefix, 'audit', 'archiver');
      const existedAt = publishing.count;
      await waitFor(() => publishing.count >= existedAt + 1_000, 'the flood to go on');
      publishing.stopped = true;
      await publishing.done;
      const total = publishing.count;
      await waitFor(() => live.length === total && numbers(durable).at(-1) === total - 1, 'every message', 20_000);
      await sleep(200); // nothing more (no duplicate) arrives
      expect(publishing.refused).toBe(0);
      expectRun(numbers(live), 0, total); // the refused frames were re-sent in order: nothing lost, nothing twice
      const got = numbers(durable);
      expect(got[0]).toBeLessThanOrEqual(existedAt);
      expectRun(got, got[0], total);
      expect(durable.every((m) => m.deliveryCount === 1)).toBe(true);
      expect(b.channel('audit').stats().lost).toBe(0);
      expect(nodes.transportOf(b).stats()).toMatchObject({ lost: 0, duplicates: 0 });
      expect(a.channel('audit').stats().failedPublications).toBe(0);
      // A learnt that the channel needs entries from a refusal: counted, and logged.
      expect(nodes.transportOf(a).stats().framesRefused).toBeGreaterThan(0);
      expect(logger.warnings.some((w) => w.startsWith('durable gate:') && w.includes('re-sent in order'))).toBe(true);
    });

    it('with replay, the first group gets the whole retained history seeded from its node, then the rest of the flood, once each, in order', async () => {
      const on = cluster();
      const { a, b, live } = await twoNodes(on);
      const durable: PubSubMessage[] = [];
      const publishing = flood(a);
      await waitFor(() => publishing.count >= 1_000, 'the flood to start');
      b.channel('audit').subscribe('audit:*', (m) => void durable.push(m), { durable: 'auditor', replay: { sinceMs: 0 } });
      await groupCreated(nodes.url(), on.prefix, 'audit', 'auditor');
      const existedAt = publishing.count;
      await waitFor(() => publishing.count >= existedAt + 1_000, 'the flood to go on');
      publishing.stopped = true;
      await publishing.done;
      const total = publishing.count;
      expect(total).toBeLessThan(10_000); // within the default retention: B's log holds all of it
      await waitFor(() => live.length === total && durable.length >= total, 'every message', 20_000);
      await sleep(200);
      expectRun(numbers(live), 0, total);
      expectRun(numbers(durable), 0, total);
      expect(await redis.xlen(streamOf(on))).toBe(total);
    });

    it('a seeding marker left by a node that died between the scripts expires: publications wait, then go on without entries', async () => {
      const on = cluster();
      const { a, logger, live } = await twoNodes(on);
      await redis.set(`${streamOf(on)}:groups`, 'seeding:crashed-node', 'PX', 600);
      const startedAt = Date.now();
      for (let n = 0; n < 300; n++) expect(a.channel('audit').publish('audit:record', 'recorded', { n }).ok).toBe(true);
      await sleep(300);
      expect(live).toHaveLength(0); // held while the marker says a first group is being created
      await waitFor(() => live.length === 300, 'delivery after the marker expired', 10_000);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(500);
      expectRun(numbers(live), 0, 300);
      expect(await redis.exists(streamOf(on))).toBe(0);
      expect(a.channel('audit').stats().failedPublications).toBe(0);
      expect(nodes.transportOf(a).stats().framesRefused).toBeGreaterThan(0);
      expect(logger.warnings.some((w) => w.includes('a first durable group is being created'))).toBe(true);
    });

    it('channels without retention share frames with retained ones and keep their order across a refusal', async () => {
      const on = cluster();
      const { a, b } = await twoNodes(on);
      const events: PubSubMessage[] = [];
      b.channel('events').subscribe('e:*', (m) => void events.push(m), { mailboxSize: 1_000_000 });
      await redis.set(`${streamOf(on)}:groups`, 'seeding:crashed-node', 'PX', 300);
      for (let n = 0; n < 300; n++) {
        a.channel('audit').publish('audit:record', 'recorded', { n });
        a.channel('events').publish('e:x', 'happened', { n });
      }
      await waitFor(() => events.length === 300, 'events', 10_000);
      expectRun(numbers(events), 0, 300);
      expect(nodes.transportOf(b).stats()).toMatchObject({ lost: 0, duplicates: 0 });
    });

    it('a publication that waited longer than messageMaxAgeMs for a frozen Redis misses the bus (counted) but still reaches a durable group', async () => {
      const on = cluster();
      const a = await nodes.node('a', on, undefined, 1_000);
      const b = await nodes.node('b', on);
      await waitFor(() => nodes.transportOf(a).nodes().length === 2, 'discovery');
      const live: PubSubMessage[] = [];
      const durable: PubSubMessage[] = [];
      b.channel('audit').subscribe('audit:*', (m) => void live.push(m));
      b.channel('audit').subscribe('audit:*', (m) => void durable.push(m), { durable: 'archiver' });
      await groupCreated(nodes.url(), on.prefix, 'audit', 'archiver');
      a.channel('audit').publish('audit:record', 'recorded', { n: -1 }); // A learns that the channel has a group
      await waitFor(() => durable.length === 1, 'the first durable delivery');
      nodes.server().freeze();
      try {
        await waitFor(() => !nodes.transportOf(a).stats().up, 'A to notice', 5_000);
        for (let n = 0; n < 50; n++) expect(a.channel('audit').publish('audit:record', 'recorded', { n }).ok).toBe(true);
        await sleep(1_200);
      } finally {
        nodes.server().thaw();
      }
      await waitFor(() => durable.length === 51, 'the durable deliveries after the thaw', 15_000);
      expectRun(numbers(durable).slice(1), 0, 50);
      expect(live).toHaveLength(1);
      expect(a.channel('audit').stats().failedPublications).toBe(50); // not sent on the bus: too old by then
    });

    it('sends each frame by the gate script’s SHA (loaded once per connection), not by its text', async () => {
      const on = cluster();
      const { a, live } = await twoNodes(on);
      const calls = await commandCallsWhile(
        (n) => a.channel('audit').publish('audit:record', 'recorded', { n }),
        () => live.length === 100,
      );
      expect(calls('evalsha')).toBeGreaterThan(0); // frames coalesce under load: at least one
      expect(calls('eval')).toBe(0);
    });

    it('without a durable group, a retained channel’s frames are checked by a script and published by PUBLISH in a transaction, not from inside Lua, where the bus can publish in a transaction', async () => {
      const on = cluster();
      const { a, live } = await twoNodes(on);
      const calls = await commandCallsWhile(
        (n) => a.channel('audit').publish('audit:record', 'recorded', { n }),
        () => live.length === 100,
      );
      if (!(await transactionsPossible())) {
        // One connection on Redis before 7.2 (RedisBus.checkedPublishes): each frame is published from the gate's script.
        const scripted = calls('evalsha');
        expect(scripted).toBeGreaterThan(0);
        expect(calls('exec')).toBe(0);
        expect(calls('publish')).toBeGreaterThanOrEqual(scripted);
        expect(calls('xadd')).toBe(0);
        return;
      }
      const checked = calls('exec');
      expect(checked).toBeGreaterThan(0);
      expect(calls('watch')).toBe(checked);
      expect(calls('evalsha')).toBe(checked); // the check, by its SHA
      expect(calls('publish')).toBeGreaterThanOrEqual(checked);
      expect(calls('xadd')).toBe(0);
    });

    it('a frame of channels without retention goes by a plain PUBLISH while no scripted frame is in flight', async () => {
      const on = cluster();
      const { a, b } = await twoNodes(on);
      const events: PubSubMessage[] = [];
      b.channel('events').subscribe('e:*', (m) => void events.push(m));
      const calls = await commandCallsWhile(
        (n) => a.channel('events').publish('e:x', 'happened', { n }),
        () => events.length === 100,
      );
      expect(calls('evalsha')).toBe(0);
      expect(calls('publish')).toBeGreaterThan(0);
    });

    it('frames of channels without retention sent behind a refused mixed frame wait for it: their channel keeps its order', async () => {
      const on = cluster();
      const { a, b } = await twoNodes(on);
      const events: PubSubMessage[] = [];
      b.channel('events').subscribe('e:*', (m) => void events.push(m), { mailboxSize: 1_000_000 });
      await redis.set(`${streamOf(on)}:groups`, 'seeding:crashed-node', 'PX', 300);
      // One turn: a frame of the audit record and 999 events (refused), then full frames of events only, sent
      // while the first is in flight.
      a.channel('audit').publish('audit:record', 'recorded', { n: 0 });
      for (let n = 0; n < 3_000; n++) a.channel('events').publish('e:x', 'happened', { n });
      await waitFor(() => events.length === 3_000, 'events', 10_000);
      expectRun(numbers(events), 0, 3_000);
      expect(nodes.transportOf(b).stats()).toMatchObject({ lost: 0, duplicates: 0 });
    });
  });
});
