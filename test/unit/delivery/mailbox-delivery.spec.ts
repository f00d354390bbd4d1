import type { DeadLetterPayload, PubSubMessage } from '@gater/pubsub';
import { Inbox, tick } from '../../support/pubsub-app.js';
import { createChannels, deferred, RecordingLogger, waitFor } from '../../support/channels.js';

const payloads = (messages: PubSubMessage[]): unknown[] => messages.map((m) => m.payload);
const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);

describe('delivery: asynchronous, ordered mailboxes', () => {
  it('never runs a handler on the publisher stack', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    set.channel('events').subscribe('orders:*', inbox.handler);
    const result = set.channel('events').publish('orders:1', 'order_placed', { n: 1 });
    expect(result.ok).toBe(true);
    expect(inbox.messages).toHaveLength(0);
    await Promise.resolve(); // not even in a microtask of the publisher
    expect(inbox.messages).toHaveLength(0);
    await inbox.until(1);
    expect(inbox.messages[0]).toMatchObject({
      channel: 'events',
      topic: 'orders:1',
      type: 'order_placed',
      payload: { n: 1 },
      node: 'test-node',
    });
    expect(result.ok && inbox.messages[0].id).toBe(result.ok && result.id);
  });

  it('a handler that publishes does not re-enter itself', async () => {
    const set = createChannels();
    const depth: number[] = [];
    let active = 0;
    set.channel('system').subscribe('ping', (message) => {
      active++;
      depth.push(active);
      if ((message.payload as number) < 5) set.channel('system').publish('ping', 'ping', (message.payload as number) + 1);
      active--;
    });
    set.channel('system').publish('ping', 'ping', 1);
    await waitFor(() => depth.length === 5, 'five pings');
    expect(depth).toEqual([1, 1, 1, 1, 1]);
  });

  it('keeps FIFO order per subscription for one publisher, for sync and async handlers', async () => {
    const set = createChannels();
    const sync = new Inbox();
    const asyncReceived: number[] = [];
    set.channel('events').subscribe('seq', sync.handler);
    set.channel('events').subscribe('seq', async (m) => {
      await new Promise((resolve) => setImmediate(resolve));
      asyncReceived.push(m.payload as number);
    });
    for (const n of range(300)) set.channel('events').publish('seq', 'n', n);
    expect(await set.drain(5_000)).toBe(true);
    expect(payloads(sync.messages)).toEqual(range(300));
    expect(asyncReceived).toEqual(range(300));
  });

  it('delivers a message once to a subscription whose patterns overlap', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    set.channel('health').subscribe(['a:*', 'a:b', '*', 'a:b'], inbox.handler);
    set.channel('health').publish('a:b', 't');
    expect(await set.drain(1_000)).toBe(true);
    expect(inbox.messages).toHaveLength(1);
  });
});

describe('delivery: bounded mailboxes', () => {
  it('drop-oldest (the default) keeps the newest N and counts the drops', async () => {
    const logger = new RecordingLogger();
    const set = createChannels({ logger });
    const inbox = new Inbox();
    set.channel('metrics').subscribe('m', inbox.handler, { mailboxSize: 3 });
    for (const n of range(10)) set.channel('metrics').publish('m', 'n', n);
    expect(set.channel('metrics').stats()).toMatchObject({ published: 10, dropped: 7, mailboxDepth: 3 });
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(inbox.messages)).toEqual([8, 9, 10]);
    expect(set.channel('metrics').stats()).toMatchObject({ delivered: 3, dropped: 7, mailboxDepth: 0 });
    expect(logger.warnings.some((w) => w.includes('drop-oldest'))).toBe(true);
  });

  it('drop-newest keeps the first N', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    set.channel('metrics').subscribe('m', inbox.handler, { mailboxSize: 3, overflow: 'drop-newest' });
    for (const n of range(10)) set.channel('metrics').publish('m', 'n', n);
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(inbox.messages)).toEqual([1, 2, 3]);
    expect(set.channel('metrics').stats()).toMatchObject({ published: 10, delivered: 3, dropped: 7 });
  });

  it('bounds each subscription separately: a full mailbox does not affect another one', async () => {
    const set = createChannels();
    const small = new Inbox();
    const large = new Inbox();
    set.channel('events').subscribe('e', small.handler, { mailboxSize: 2 });
    set.channel('events').subscribe('e', large.handler);
    for (const n of range(50)) set.channel('events').publish('e', 'n', n);
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(small.messages)).toEqual([49, 50]);
    expect(payloads(large.messages)).toEqual(range(50));
    expect(set.channel('events').stats()).toMatchObject({ dropped: 48, delivered: 52 });
  });

  it('uses the channel default mailbox size, which a subscription may override', async () => {
    const set = createChannels({ defaults: { metrics: { mailboxSize: 4, overflow: 'drop-newest' } } });
    const byDefault = new Inbox();
    const overridden = new Inbox();
    const otherChannel = new Inbox();
    set.channel('metrics').subscribe('m', byDefault.handler);
    set.channel('metrics').subscribe('m', overridden.handler, { mailboxSize: 6, overflow: 'drop-oldest' });
    set.channel('health').subscribe('m', otherChannel.handler);
    for (const n of range(10)) {
      set.channel('metrics').publish('m', 'n', n);
      set.channel('health').publish('m', 'n', n);
    }
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(byDefault.messages)).toEqual([1, 2, 3, 4]);
    expect(payloads(overridden.messages)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(payloads(otherChannel.messages)).toEqual(range(10));
  });

  it('refuses invalid subscribe options with an error', () => {
    const set = createChannels();
    const channel = set.channel('events');
    expect(() => channel.subscribe('a', () => {}, { mailboxSize: 0 })).toThrow(/mailboxSize/);
    expect(() => channel.subscribe('a', () => {}, { concurrency: 1.5 })).toThrow(/concurrency/);
    expect(() => channel.subscribe('a', () => {}, { retries: -1 })).toThrow(/retries/);
    expect(() => channel.subscribe('a', () => {}, { overflow: 'drop-all' as never })).toThrow(/overflow/);
    expect(() => channel.subscribe('a', 'not a function' as never)).toThrow(/handler/);
    expect(channel.stats().subscriptions).toBe(0);
  });
});

describe('delivery: concurrency', () => {
  it('concurrency 3 keeps at most three calls in flight and uses all three', async () => {
    const set = createChannels();
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    set.channel('events').subscribe(
      'work',
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await tick(1);
        inFlight--;
        done++;
      },
      { concurrency: 3 },
    );
    for (const n of range(30)) set.channel('events').publish('work', 'n', n);
    expect(await set.drain(5_000)).toBe(true);
    expect(done).toBe(30);
    expect(maxInFlight).toBe(3);
  });

  it('concurrency 1 (the default) runs one async call at a time', async () => {
    const set = createChannels();
    let inFlight = 0;
    let maxInFlight = 0;
    set.channel('events').subscribe('work', async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await tick(0);
      inFlight--;
    });
    for (const n of range(10)) set.channel('events').publish('work', 'n', n);
    expect(await set.drain(5_000)).toBe(true);
    expect(maxInFlight).toBe(1);
    expect(set.channel('events').stats().delivered).toBe(10);
  });
});

describe('delivery: failures, retries and dead letters', () => {
  it('retries: 2 calls a failing handler three times, counts three errors, then publishes a dead letter', async () => {
    const logger = new RecordingLogger();
    const set = createChannels({ logger });
    const deadLetters = new Inbox();
    set.channel('diagnostics').subscribe('dead_letter:*', deadLetters.handler);
    let calls = 0;
    const subscription = set.channel('audit').subscribe(
      'user_actions',
      () => {
        calls++;
        throw new Error('database unavailable');
      },
      { retries: 2 },
    );
    const published = set.channel('audit').publish('user_actions', 'data_change', { user: 'u1' });
    expect(await set.drain(1_000)).toBe(true);
    expect(calls).toBe(3);
    expect(set.channel('audit').stats()).toMatchObject({ handlerErrors: 3, delivered: 0, published: 1 });
    expect(deadLetters.messages).toHaveLength(1);
    const dead = deadLetters.messages[0];
    expect(dead).toMatchObject({ channel: 'diagnostics', topic: 'dead_letter:audit', type: 'dead_letter' });
    const payload = dead.payload as DeadLetterPayload;
    expect(payload).toEqual({
      message: expect.objectContaining({ channel: 'audit', topic: 'user_actions', type: 'data_change', payload: { user: 'u1' } }),
      error: 'database unavailable',
      attempts: 3,
      subscription: subscription.id,
    });
    expect(published.ok && payload.message.id).toBe(published.ok && published.id);
    // Logged with its stack.
    expect(logger.errors.length).toBeGreaterThanOrEqual(3);
    expect(logger.errors[0].message).toContain('database unavailable');
    expect(logger.errors[0].stack).toContain('database unavailable');
  });

  it('retries an async handler that rejects', async () => {
    const set = createChannels();
    const deadLetters = new Inbox();
    set.channel('diagnostics').subscribe('dead_letter:events', deadLetters.handler);
    let calls = 0;
    set.channel('events').subscribe(
      'e',
      async () => {
        calls++;
        await tick(0);
        throw new Error(`rejected ${calls}`);
      },
      { retries: 1 },
    );
    set.channel('events').publish('e', 't', 1);
    expect(await set.drain(1_000)).toBe(true);
    expect(calls).toBe(2);
    expect(deadLetters.messages.map((m) => (m.payload as DeadLetterPayload).error)).toEqual(['rejected 2']);
    expect((deadLetters.messages[0].payload as DeadLetterPayload).attempts).toBe(2);
  });

  it('a handler that succeeds on retry produces no dead letter', async () => {
    const set = createChannels();
    const deadLetters = new Inbox();
    set.channel('diagnostics').subscribe('*', deadLetters.handler);
    let calls = 0;
    set.channel('alerts').subscribe(
      'a',
      () => {
        if (++calls < 3) throw new Error('flaky');
      },
      { retries: 2 },
    );
    set.channel('alerts').publish('a', 't');
    expect(await set.drain(1_000)).toBe(true);
    expect(calls).toBe(3);
    expect(set.channel('alerts').stats()).toMatchObject({ handlerErrors: 2, delivered: 1 });
    expect(deadLetters.messages).toHaveLength(0);
    expect(set.channel('diagnostics').stats().published).toBe(0);
  });

  it('without retries a failure is one error and one dead letter, and the subscriber keeps receiving', async () => {
    const set = createChannels();
    const deadLetters = new Inbox();
    set.channel('diagnostics').subscribe('dead_letter:*', deadLetters.handler);
    const seen: number[] = [];
    set.channel('events').subscribe('e', (m) => {
      seen.push(m.payload as number);
      if (m.payload === 2) throw new Error('two is bad');
    });
    for (const n of range(4)) set.channel('events').publish('e', 't', n);
    expect(await set.drain(1_000)).toBe(true);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(set.channel('events').stats()).toMatchObject({ handlerErrors: 1, delivered: 3 });
    expect(deadLetters.messages.map((m) => (m.payload as DeadLetterPayload).message.payload)).toEqual([2]);
  });

  it('a failing dead-letter handler does not loop', async () => {
    const logger = new RecordingLogger();
    const set = createChannels({ logger });
    let deadLetterCalls = 0;
    set.channel('diagnostics').subscribe('dead_letter:*', () => {
      deadLetterCalls++;
      throw new Error('dead letter handler broken');
    });
    set.channel('events').subscribe('e', () => {
      throw new Error('boom');
    });
    set.channel('events').publish('e', 't');
    expect(await set.drain(1_000)).toBe(true);
    await tick(5);
    expect(await set.drain(1_000)).toBe(true);
    expect(deadLetterCalls).toBe(1);
    expect(set.channel('diagnostics').stats()).toMatchObject({ published: 1, handlerErrors: 1 });
    expect(logger.errors.some((e) => e.message.includes('not re-published'))).toBe(true);
  });

  it('a failing diagnostics subscriber gets a dead letter on dead_letter:diagnostics, once', async () => {
    const set = createChannels();
    const deadLetters = new Inbox();
    set.channel('diagnostics').subscribe('dead_letter:*', deadLetters.handler);
    set.channel('diagnostics').subscribe('trace', () => {
      throw new Error('trace handler broken');
    });
    set.channel('diagnostics').publish('trace', 'debug_trace');
    expect(await set.drain(1_000)).toBe(true);
    expect(deadLetters.messages.map((m) => m.topic)).toEqual(['dead_letter:diagnostics']);
  });

  it('survives handlers that throw or reject with non-Error values, and handlers returning hostile thenables', async () => {
    const set = createChannels();
    const deadLetters = new Inbox();
    set.channel('diagnostics').subscribe('dead_letter:*', deadLetters.handler);
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
        has() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const throwingThen = {
      then() {
        throw new Error('then exploded');
      },
    };
    const thenGetter = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('then getter exploded');
      },
    });
    const doubleSettle = {
      then(onOk: () => void, onError: (e: unknown) => void) {
        onOk();
        onOk();
        onError(new Error('late'));
      },
    };
    const behaviours: (() => unknown)[] = [
      () => {
        throw 'a string';
      },
      () => {
        throw null;
      },
      () => {
        throw undefined;
      },
      () => {
        throw Object.create(null);
      },
      () => {
        throw hostile;
      },
      () => Promise.reject(hostile),
      () => throwingThen,
      () => thenGetter,
      () => hostile,
      () => doubleSettle,
    ];
    const healthy = new Inbox();
    set.channel('events').subscribe('e', healthy.handler);
    for (const behave of behaviours) set.channel('events').subscribe('e', behave);
    for (const n of range(3)) set.channel('events').publish('e', 't', n);
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(healthy.messages)).toEqual([1, 2, 3]);
    const stats = set.channel('events').stats();
    // Succeeding: the healthy one and the double-settling thenable (its first outcome wins); the rest fail.
    expect(stats.delivered).toBe(3 * 2);
    expect(stats.handlerErrors).toBe(3 * 9);
    expect(stats.mailboxDepth).toBe(0);
    expect(deadLetters.messages).toHaveLength(3 * 9);
    for (const dead of deadLetters.messages) expect(typeof (dead.payload as DeadLetterPayload).error).toBe('string');
    // Still working afterwards.
    set.channel('events').publish('e', 't', 4);
    await healthy.until(4);
  });
});

describe('delivery: stats, unsubscribe and drain', () => {
  it('reports every counter', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    set.channel('health').subscribe('h:*', inbox.handler, { mailboxSize: 2 });
    set.channel('health').subscribe('h:*', () => {
      throw new Error('x');
    });
    expect(set.channel('health').stats()).toEqual({
      channel: 'health',
      instance: 'ex_esdb_health',
      published: 0,
      delivered: 0,
      failedPublications: 0,
      handlerErrors: 0,
      dropped: 0,
      subscriptions: 2,
      mailboxDepth: 0,
      lost: 0,
      acked: 0,
      redelivered: 0,
      pending: 0,
      retained: 0,
    });
    for (const n of range(3)) set.channel('health').publish('h:1', 't', n);
    set.channel('health').publish('h:*', 't');
    set.channel('health').publish('nobody:listens', 't');
    expect(set.channel('health').stats()).toMatchObject({ published: 4, failedPublications: 1, dropped: 1, mailboxDepth: 2 + 3 });
    expect(await set.drain(1_000)).toBe(true);
    expect(set.channel('health').stats()).toEqual({
      channel: 'health',
      instance: 'ex_esdb_health',
      published: 4,
      delivered: 2,
      failedPublications: 1,
      handlerErrors: 3,
      dropped: 1,
      subscriptions: 2,
      mailboxDepth: 0,
      lost: 0,
      acked: 0,
      redelivered: 0,
      pending: 0,
      retained: 0,
    });
    expect(set.stats().map((s) => s.channel)).toHaveLength(10);
    expect(set.channel('diagnostics').stats().published).toBe(3);
  });

  it('unsubscribe stops delivery, pending messages included, and removes the subscription from stats', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    const other = new Inbox();
    const subscription = set.channel('events').subscribe(['a', 'b:*'], inbox.handler);
    set.channel('events').subscribe('a', other.handler);
    expect(subscription.patterns).toEqual(['a', 'b:*']);
    expect(subscription.closed).toBe(false);
    expect(set.channel('events').stats().subscriptions).toBe(2);
    set.channel('events').publish('a', 't', 1);
    await inbox.until(1);
    set.channel('events').publish('a', 't', 2); // pending when unsubscribing
    subscription.unsubscribe();
    subscription.unsubscribe(); // idempotent
    expect(subscription.closed).toBe(true);
    set.channel('events').publish('a', 't', 3);
    set.channel('events').publish('b:c', 't', 4);
    expect(await set.drain(1_000)).toBe(true);
    expect(payloads(inbox.messages)).toEqual([1]);
    expect(payloads(other.messages)).toEqual([1, 2, 3]);
    expect(set.channel('events').stats()).toMatchObject({ subscriptions: 1, mailboxDepth: 0 });
  });

  it('a handler may unsubscribe itself', async () => {
    const set = createChannels();
    const seen: number[] = [];
    const subscription = set.channel('events').subscribe('a', (m) => {
      seen.push(m.payload as number);
      subscription.unsubscribe();
    });
    for (const n of range(5)) set.channel('events').publish('a', 't', n);
    expect(await set.drain(1_000)).toBe(true);
    expect(seen).toEqual([1]);
  });

  it('drain() is true at once when idle and false on timeout with a handler that never resolves', async () => {
    const set = createChannels();
    expect(await set.drain(0)).toBe(true);
    expect(await set.channel('events').drain(0)).toBe(true);
    const never = deferred();
    set.channel('events').subscribe('stuck', () => never.promise);
    set.channel('events').publish('stuck', 't');
    const started = Date.now();
    expect(await set.channel('events').drain(50)).toBe(false);
    expect(await set.drain(50)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Other channels are unaffected.
    expect(await set.channel('metrics').drain(10)).toBe(true);
    never.resolve();
    expect(await set.drain(1_000)).toBe(true);
    expect(set.channel('events').stats().delivered).toBe(1);
  });

  it('drain() waits for dead letters moving work to the diagnostics channel', async () => {
    const set = createChannels();
    const deadLetters: unknown[] = [];
    set.channel('diagnostics').subscribe('dead_letter:*', async (m) => {
      await tick(2);
      deadLetters.push(m);
    });
    set.channel('events').subscribe('e', async () => {
      await tick(2);
      throw new Error('x');
    });
    set.channel('events').publish('e', 't');
    expect(await set.drain(2_000)).toBe(true);
    expect(deadLetters).toHaveLength(1);
  });
});
