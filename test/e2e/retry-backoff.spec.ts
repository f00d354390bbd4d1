import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, type Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  EventsChannel,
  OnEvents,
  PubSubError,
  PubSubManager,
  PubSubModule,
  type DeadLetterPayload,
  type PubSubMessage,
  type SubscribeOptions,
} from '@gater/pubsub';
import { untilTurns } from '../support/until.js';

// Retry waits run on (fake) setTimeout; delivery runs on real setImmediate turns, so messages keep flowing
// while the test holds the clock still.
const useFakeClock = () => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'performance'] });

async function start(providers: Provider[] = []): Promise<TestingModule> {
  const app = await Test.createTestingModule({ imports: [PubSubModule.forTest()], providers }).compile();
  await app.init();
  return app;
}

/** A handler that always throws and records when (fake Date.now()) it was called. */
function failing() {
  const calls: number[] = [];
  const handler = (): void => {
    calls.push(Date.now());
    throw new Error('downstream unavailable');
  };
  const gaps = () => calls.slice(1).map((at, i) => at - calls[i]);
  return { calls, handler, gaps };
}

function deadLetters(app: TestingModule): PubSubMessage<DeadLetterPayload>[] {
  const received: PubSubMessage<DeadLetterPayload>[] = [];
  app
    .get(PubSubManager)
    .channel('diagnostics')
    .subscribe<DeadLetterPayload>('dead_letter:*', (m) => void received.push(m));
  return received;
}

let app: TestingModule | undefined;
afterEach(async () => {
  jest.useRealTimers();
  jest.restoreAllMocks();
  await app?.close();
  app = undefined;
});

describe('retry backoff on ordinary subscriptions', () => {
  it('waits retryDelayMs before the first retry, doubles per retry, caps at retryMaxDelayMs, then dead-letters', async () => {
    app = await start();
    useFakeClock();
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999); // the top of the jitter range: the full ceiling
    const letters = deadLetters(app);
    const subject = failing();
    const events = app.get(EventsChannel);
    events.subscribe('job', subject.handler, { retries: 5, retryDelayMs: 100, retryMaxDelayMs: 400 });
    expect(events.publish('job', 'job_requested', 1).ok).toBe(true);
    await untilTurns(() => subject.calls.length === 1, 'the first attempt');
    await jest.advanceTimersByTimeAsync(99);
    expect(subject.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(subject.calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(subject.gaps()).toEqual([100, 200, 400, 400, 400]);
    await untilTurns(() => letters.length === 1, 'the dead letter');
    expect(letters[0].payload).toMatchObject({ attempts: 6, error: 'downstream unavailable' });
    expect(events.stats()).toMatchObject({ published: 1, delivered: 0, handlerErrors: 6, dropped: 0, mailboxDepth: 0 });
    expect(await app.get(PubSubManager).drain(0)).toBe(true);
  });

  it('jitters each wait between half and all of its ceiling', async () => {
    app = await start();
    useFakeClock();
    const events = app.get(EventsChannel);
    const options: SubscribeOptions = { retries: 4, retryDelayMs: 100, retryMaxDelayMs: 300 };
    const ceilings = [100, 200, 300, 300];

    const random = jest.spyOn(Math, 'random').mockReturnValue(0); // the bottom of the range: half the ceiling
    const lowest = failing();
    events.subscribe('low', lowest.handler, options);
    events.publish('low', 'job_requested');
    await untilTurns(() => lowest.calls.length === 1, 'the first attempt');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(lowest.gaps()).toEqual(ceilings.map((ceiling) => ceiling / 2));
    random.mockRestore();

    const subjects = Array.from({ length: 20 }, () => failing());
    subjects.forEach((subject) => events.subscribe('spread', subject.handler, options));
    events.publish('spread', 'job_requested');
    await untilTurns(() => subjects.every((subject) => subject.calls.length === 1), 'the first attempts');
    await jest.advanceTimersByTimeAsync(2_000);
    for (const subject of subjects) {
      expect(subject.calls).toHaveLength(5);
      subject.gaps().forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(ceilings[i] / 2);
        expect(gap).toBeLessThanOrEqual(ceilings[i]);
      });
    }
    // Subscriptions failing together do not retry in step.
    expect(new Set(subjects.map((subject) => subject.gaps()[0])).size).toBeGreaterThan(1);
  });

  it('retries at once, on no timer, when retryDelayMs is 0 (the default)', async () => {
    app = await start();
    useFakeClock();
    const letters = deadLetters(app);
    const events = app.get(EventsChannel);
    const byDefault = failing();
    const explicit = failing();
    events.subscribe('job', byDefault.handler, { retries: 3 });
    events.subscribe('job', explicit.handler, { retries: 3, retryDelayMs: 0, retryMaxDelayMs: 10 });
    events.publish('job', 'job_requested');
    await untilTurns(() => letters.length === 2, 'both dead letters');
    expect(byDefault.calls).toHaveLength(4);
    expect(explicit.calls).toHaveLength(4);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a waiting retry holds back neither the other subscriptions of its channel nor other channels; with concurrency 1 its own later messages wait behind it, in order', async () => {
    app = await start();
    useFakeClock();
    const manager = app.get(PubSubManager);
    const seen: string[] = [];
    let failures = 0;
    manager.channel('events').subscribe(
      'job',
      (m) => {
        seen.push(`${m.payload}`);
        if (m.payload === 0 && failures++ === 0) throw new Error('first attempt fails');
      },
      { retries: 1, retryDelayMs: 10_000 },
    );
    const sameTopic: unknown[] = [];
    const otherTopic: unknown[] = [];
    const otherChannel: unknown[] = [];
    manager.channel('events').subscribe('job', (m) => void sameTopic.push(m.payload));
    manager.channel('events').subscribe('other', (m) => void otherTopic.push(m.payload));
    manager.channel('metrics').subscribe('job', (m) => void otherChannel.push(m.payload));
    for (let i = 0; i < 100; i++) {
      manager.channel('events').publish('job', 'job_requested', i);
      manager.channel('events').publish('other', 'job_requested', i);
      manager.channel('metrics').publish('job', 'job_requested', i);
    }
    await untilTurns(() => sameTopic.length === 100 && otherTopic.length === 100 && otherChannel.length === 100, 'the others');
    expect(seen).toEqual(['0']);
    expect(manager.channel('events').stats()).toMatchObject({ mailboxDepth: 99, handlerErrors: 1 });
    await jest.advanceTimersByTimeAsync(10_000);
    await untilTurns(() => seen.length === 101, 'the retry and the messages behind it');
    expect(seen).toEqual(['0', ...Array.from({ length: 100 }, (_, i) => `${i}`)]);
    expect(manager.channel('events').stats()).toMatchObject({ delivered: 300, handlerErrors: 1, dropped: 0, mailboxDepth: 0 });
  });

  it('with concurrency > 1 a waiting retry holds only its own slot: the other slots keep delivering', async () => {
    app = await start();
    useFakeClock();
    const events = app.get(EventsChannel);
    const attempts = new Map<number, number>();
    const handled: number[] = [];
    const flaky = async (m: PubSubMessage) => {
      const n = m.payload as number;
      attempts.set(n, (attempts.get(n) ?? 0) + 1);
      await Promise.resolve();
      if ((n === 0 || n === 1) && attempts.get(n) === 1) throw new Error('first attempt fails');
      handled.push(n);
    };
    events.subscribe('job', flaky, { concurrency: 3, retries: 1, retryDelayMs: 5_000 });
    for (let i = 0; i < 50; i++) events.publish('job', 'job_requested', i);
    await untilTurns(() => handled.length === 48, 'the messages behind the two waiting retries');
    expect(handled).not.toContain(0);
    expect(handled).not.toContain(1);
    await jest.advanceTimersByTimeAsync(5_000);
    await untilTurns(() => handled.length === 50, 'the two retries');
    expect(events.stats()).toMatchObject({ delivered: 50, handlerErrors: 2, mailboxDepth: 0 });
  });

  it('waiting retries are at most concurrency per subscription: when every slot waits, the bounded mailbox holds the rest', async () => {
    app = await start();
    useFakeClock();
    const events = app.get(EventsChannel);
    const attempts = new Map<number, number>();
    const handled: number[] = [];
    events.subscribe(
      'job',
      (m) => {
        const n = m.payload as number;
        attempts.set(n, (attempts.get(n) ?? 0) + 1);
        if (n < 2 && attempts.get(n) === 1) throw new Error('first attempt fails');
        handled.push(n);
      },
      { concurrency: 2, retries: 1, retryDelayMs: 1_000, mailboxSize: 5 },
    );
    events.publish('job', 'job_requested', 0);
    events.publish('job', 'job_requested', 1);
    await untilTurns(() => attempts.size === 2, 'two first attempts');
    for (let i = 2; i < 10; i++) events.publish('job', 'job_requested', i);
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(handled).toEqual([]);
    // Both slots wait: eight more published into a mailbox of five, drop-oldest discarded (and counted) three.
    expect(events.stats()).toMatchObject({ mailboxDepth: 5, dropped: 3 });
    await jest.advanceTimersByTimeAsync(1_000);
    await untilTurns(() => handled.length === 7, 'every kept message');
    expect([...handled].sort((a, b) => a - b)).toEqual([0, 1, 5, 6, 7, 8, 9]);
    expect(events.stats()).toMatchObject({ delivered: 7, dropped: 3, handlerErrors: 2, mailboxDepth: 0 });
  });

  it('decorated handlers take the retry options', async () => {
    @Injectable()
    class Worker {
      readonly calls: number[] = [];
      @OnEvents('job', { retries: 2, retryDelayMs: 200, retryMaxDelayMs: 1_000 })
      onJob(): void {
        this.calls.push(Date.now());
        throw new Error('always');
      }
    }
    app = await start([Worker]);
    useFakeClock();
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999);
    const letters = deadLetters(app);
    app.get(EventsChannel).publish('job', 'job_requested');
    const worker = app.get(Worker);
    await untilTurns(() => worker.calls.length === 1, 'the first attempt');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(worker.calls.slice(1).map((at, i) => at - worker.calls[i])).toEqual([200, 400]);
    await untilTurns(() => letters.length === 1, 'the dead letter');
    expect(letters[0].payload.attempts).toBe(3);
  });

  it('unsubscribing while a retry waits: the handler is not called again and the message is no longer outstanding', async () => {
    app = await start();
    useFakeClock();
    const events = app.get(EventsChannel);
    const subject = failing();
    const subscription = events.subscribe('job', subject.handler, { retries: 3, retryDelayMs: 100 });
    events.publish('job', 'job_requested');
    await untilTurns(() => subject.calls.length === 1, 'the first attempt');
    expect(events.counters.outstanding).toBe(1);
    subscription.unsubscribe();
    expect(events.counters.outstanding).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(subject.calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('retry backoff and publishAndWait', () => {
  it('a waited publication counts a delayed retry that succeeds as delivered, one failing after its last retry as failed', async () => {
    app = await start();
    const events = app.get(EventsChannel);
    let calls = 0;
    events.subscribe(
      'job',
      () => {
        if (++calls === 1) throw new Error('first attempt fails');
      },
      { retries: 2, retryDelayMs: 20 },
    );
    events.subscribe(
      'job',
      () => {
        throw new Error('always');
      },
      { retries: 2, retryDelayMs: 20, retryMaxDelayMs: 40 },
    );
    const result = await events.publishAndWait('job', 'job_requested', undefined, { timeoutMs: 5_000 });
    expect(result).toMatchObject({ ok: true, delivered: 1, failed: 1, timedOut: 0 });
    expect(calls).toBe(2);
  });
});

describe('retry backoff at shutdown', () => {
  it('a retry due within the drain is delivered before app.close() resolves', async () => {
    app = await start();
    const events = app.get(EventsChannel);
    let calls = 0;
    events.subscribe(
      'job',
      () => {
        if (++calls === 1) throw new Error('first attempt fails');
      },
      { retries: 1, retryDelayMs: 50 },
    );
    events.publish('job', 'job_requested');
    await untilTurns(() => calls === 1, 'the first attempt');
    const closing = app;
    app = undefined;
    await closing.close();
    expect(calls).toBe(2);
    expect(events.stats()).toMatchObject({ delivered: 1, handlerErrors: 1, dropped: 0 });
  });

  it('a retry still waiting when the drain times out is counted in dropped, and its handler never runs after close', async () => {
    app = await start();
    useFakeClock();
    const events = app.get(EventsChannel);
    const subject = failing();
    events.subscribe('job', subject.handler, { retries: 3, retryDelayMs: 60_000 });
    events.publish('job', 'job_requested');
    await untilTurns(() => subject.calls.length === 1, 'the first attempt');
    let closed = false;
    void app.close().then(() => (closed = true));
    app = undefined;
    // Past the shutdown drain's limit (5 s), in steps: close() reaches the drain after a few turns of its own.
    for (let step = 0; !closed && step < 50; step++) {
      await jest.advanceTimersByTimeAsync(500);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(closed).toBe(true);
    expect(events.stats()).toMatchObject({ delivered: 0, handlerErrors: 1, dropped: 1 });
    expect(events.counters.outstanding).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(600_000);
    expect(subject.calls).toHaveLength(1);
  });

  it('a waiting retry does not keep the process alive (its timer is unref-ed)', async () => {
    app = await start();
    const events = app.get(EventsChannel);
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    // Read right before the failure and right after it, within one turn: no other timer starts or ends between.
    let before = -1;
    let after = -1;
    const subscription = events.subscribe(
      'job',
      () => {
        before = timers();
        queueMicrotask(() => (after = timers()));
        throw new Error('downstream unavailable');
      },
      { retries: 1, retryDelayMs: 60_000 },
    );
    events.publish('job', 'job_requested');
    await untilTurns(() => after !== -1, 'the first attempt');
    expect(events.counters.outstanding).toBe(1); // the retry waits
    expect(after).toBe(before);
    subscription.unsubscribe(); // or app.close() would wait out its drain for the retry
  });
});

describe('retry options are validated', () => {
  const invalid: Array<[keyof SubscribeOptions, unknown]> = [
    ['retryDelayMs', -1],
    ['retryDelayMs', 1.5],
    ['retryDelayMs', '100'],
    ['retryDelayMs', Number.NaN],
    ['retryDelayMs', 2 ** 31],
    ['retryMaxDelayMs', -5],
    ['retryMaxDelayMs', Infinity],
    ['retryMaxDelayMs', {}],
  ];

  it.each(invalid)('subscribe refuses %s: %p with a PubSubError naming the option', async (option, value) => {
    app = await start();
    const events = app.get(EventsChannel);
    let thrown: unknown;
    try {
      events.subscribe('job', () => undefined, { retries: 1, [option]: value } as SubscribeOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PubSubError);
    expect(thrown).toMatchObject({ code: 'invalid_subscribe_options', message: expect.stringContaining(`${option} must be`) });
    expect(() => events.observe('job', { [option]: value } as SubscribeOptions)).toThrow(`${option} must be`);
    expect(events.stats().subscriptions).toBe(0);
  });

  it('accepts them on ordinary subscriptions, with or without retries', async () => {
    app = await start();
    const events = app.get(EventsChannel);
    expect(events.subscribe('job', () => undefined, { retryDelayMs: 10 }).closed).toBe(false);
    expect(events.subscribe('job', () => undefined, { retries: 2, retryDelayMs: 0, retryMaxDelayMs: 0 }).closed).toBe(false);
  });

  it('a decorator with an invalid retry option fails start-up naming the class, the method and the option', async () => {
    @Injectable()
    class BadWorker {
      @OnEvents('job', { retries: 1, retryDelayMs: -10 })
      onJob(): void {}
    }
    await expect(start([BadWorker])).rejects.toThrow(/BadWorker.*onJob[\s\S]*retryDelayMs must be/);
  });
});
