import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { OnEvents, PubSubManager, PubSubModule, type Channel, type PubSubMessage } from '@gater/pubsub';
import { startApp, tick } from '../support/pubsub-app.js';
import { deferred, waitFor } from '../support/channels.js';

async function testApp(options: Parameters<typeof PubSubModule.forTest>[0] = {}): Promise<TestingModule> {
  const app = await Test.createTestingModule({ imports: [PubSubModule.forTest(options)] }).compile();
  await app.init();
  return app;
}

describe('channel.publishAndWait', () => {
  let app: TestingModule;
  let events: Channel;
  let audit: Channel;
  beforeEach(async () => {
    app = await testApp();
    events = app.get(PubSubManager).channel('events');
    audit = app.get(PubSubManager).channel('audit');
  });
  afterEach(async () => {
    await app.close();
  });

  it('resolves after the sync and async handlers reached have finished, with the counts', async () => {
    const finished: string[] = [];
    events.subscribe('order:*', () => {
      finished.push('sync');
    });
    events.subscribe('order:*', async () => {
      await tick(5);
      finished.push('async');
    });
    events.subscribe('other', () => finished.push('not reached'));
    const result = await events.publishAndWait('order:1', 'order_placed', { n: 1 });
    expect(result).toEqual({ ok: true, id: expect.any(String), delivered: 2, failed: 0, timedOut: 0 });
    expect(finished.sort()).toEqual(['async', 'sync']);
    expect(events.stats()).toMatchObject({ published: 1, delivered: 2 });
  });

  it('takes the { type, payload } form and the options of publish', async () => {
    const seen: PubSubMessage[] = [];
    events.subscribe('order:*', (m) => {
      seen.push(m);
    });
    const result = await events.publishAndWait('order:1', { type: 'order_placed', payload: 7 }, { local: true, headers: { a: 'b' } });
    expect(result).toMatchObject({ ok: true, delivered: 1 });
    expect(seen[0]).toMatchObject({ type: 'order_placed', payload: 7, headers: { a: 'b' } });
    expect(seen[0].id).toBe(result.id);
  });

  it('with zero subscribers resolves at once with zeros', async () => {
    const result = await events.publishAndWait('nobody:here', 't', undefined, { timeoutMs: 60_000 });
    expect(result).toEqual({ ok: true, id: expect.any(String), delivered: 0, failed: 0, timedOut: 0 });
  });

  it('counts a handler that succeeds on a retry as delivered, one that fails every attempt as failed', async () => {
    let calls = 0;
    events.subscribe(
      'flaky',
      () => {
        if (++calls < 3) throw new Error('not yet');
      },
      { retries: 2, retryDelayMs: 5 },
    );
    expect(await events.publishAndWait('flaky', 't')).toMatchObject({ ok: true, delivered: 1, failed: 0, timedOut: 0 });
    expect(calls).toBe(3);

    let attempts = 0;
    events.subscribe(
      'broken',
      async () => {
        attempts++;
        throw new Error('always');
      },
      { retries: 1 },
    );
    events.subscribe('broken', () => undefined);
    expect(await events.publishAndWait('broken', 't')).toMatchObject({ ok: true, delivered: 1, failed: 1, timedOut: 0 });
    expect(attempts).toBe(2);
    expect(events.stats()).toMatchObject({ handlerErrors: 4 });
  });

  it('a handler still running at timeoutMs is timedOut; it finishes afterwards as usual', async () => {
    const release = deferred();
    events.subscribe('slow', () => release.promise);
    events.subscribe('slow', () => undefined);
    const started = Date.now();
    const result = await events.publishAndWait('slow', 't', null, { timeoutMs: 50 });
    expect(result).toMatchObject({ ok: true, delivered: 1, failed: 0, timedOut: 1 });
    expect(Date.now() - started).toBeLessThan(4_000);
    release.resolve();
    await waitFor(() => events.stats().delivered === 2, 'the slow handler');
    // A wait that has ended does not block the next one.
    expect(await events.publishAndWait('slow', 't', null, { timeoutMs: 2_000 })).toMatchObject({ delivered: 2, timedOut: 0 });
  });

  it('a message waiting behind a busy handler at timeoutMs is timedOut too', async () => {
    const release = deferred();
    events.subscribe('queue', (m) => (m.payload === 'first' ? release.promise : undefined));
    events.publish('queue', 't', 'first');
    expect(await events.publishAndWait('queue', 't', 'second', { timeoutMs: 30 })).toMatchObject({ delivered: 0, timedOut: 1 });
    release.resolve();
  });

  it('durable subscriptions count once per group, delivered when acknowledged, failed when dead-lettered', async () => {
    const handled: string[] = [];
    audit.subscribe(
      'user:*',
      (m) => {
        handled.push(`a:${String(m.payload)}`);
      },
      { durable: 'writer' },
    );
    audit.subscribe(
      'user:*',
      (m) => {
        handled.push(`b:${String(m.payload)}`);
      },
      { durable: 'writer' },
    );
    const result = await audit.publishAndWait('user:1', 'login', 'u1');
    expect(result).toMatchObject({ ok: true, delivered: 1, failed: 0, timedOut: 0 });
    expect(handled).toHaveLength(1);
    expect(audit.stats().acked).toBe(1);

    audit.subscribe(
      'fail:*',
      () => {
        throw new Error('cannot write');
      },
      { durable: 'failing', maxDeliveries: 2 },
    );
    expect(await audit.publishAndWait('fail:1', 'login', 'u2')).toMatchObject({ ok: true, delivered: 0, failed: 1, timedOut: 0 });
    expect(audit.stats()).toMatchObject({ redelivered: 1, handlerErrors: 2 });
  });

  it('a full drop-newest mailbox refuses the message: failed at once', async () => {
    const release = deferred();
    events.subscribe('full', (m) => (m.payload === 0 ? release.promise : undefined), { mailboxSize: 1, overflow: 'drop-newest' });
    events.publish('full', 't', 0);
    await waitFor(() => events.stats().mailboxDepth === 0, 'the first message to start');
    events.publish('full', 't', 1);
    expect(await events.publishAndWait('full', 't', 2, { timeoutMs: 5_000 })).toMatchObject({ delivered: 0, failed: 1, timedOut: 0 });
    expect(events.stats().dropped).toBe(1);
    release.resolve();
  });

  it('a drop-oldest mailbox that discards the waited message later: failed when it is discarded', async () => {
    const release = deferred();
    const handled: unknown[] = [];
    events.subscribe(
      'full',
      (m) => {
        handled.push(m.payload);
        return m.payload === 0 ? release.promise : undefined;
      },
      { mailboxSize: 2, overflow: 'drop-oldest' },
    );
    events.publish('full', 't', 0);
    await waitFor(() => events.stats().mailboxDepth === 0, 'the first message to start');
    events.publish('full', 't', 1);
    const waited = events.publishAndWait('full', 't', 2, { timeoutMs: 5_000 });
    events.publish('full', 't', 3); // discards 1
    const started = Date.now();
    events.publish('full', 't', 4); // discards 2, the waited one
    expect(await waited).toMatchObject({ delivered: 0, failed: 1, timedOut: 0 });
    expect(Date.now() - started).toBeLessThan(4_000);
    release.resolve();
    await waitFor(() => handled.length === 3, 'the rest');
    expect(handled).toEqual([0, 3, 4]);
    expect(events.stats().dropped).toBe(2);
  });

  it('a drop-oldest mailbox that keeps the waited message: delivered', async () => {
    const release = deferred();
    events.subscribe('full', (m) => (m.payload === 0 ? release.promise : undefined), { mailboxSize: 2, overflow: 'drop-oldest' });
    events.publish('full', 't', 0);
    await waitFor(() => events.stats().mailboxDepth === 0, 'the first message to start');
    events.publish('full', 't', 1);
    const waited = events.publishAndWait('full', 't', 2);
    events.publish('full', 't', 3); // discards 1, keeps 2
    release.resolve();
    expect(await waited).toMatchObject({ delivered: 1, failed: 0, timedOut: 0 });
  });

  it('unsubscribing before the message was handled counts it failed', async () => {
    const release = deferred();
    const subscription = events.subscribe('gone', (m) => (m.payload === 0 ? release.promise : undefined));
    events.publish('gone', 't', 0);
    await waitFor(() => events.stats().mailboxDepth === 0, 'the first message to start');
    const waited = events.publishAndWait('gone', 't', 1);
    subscription.unsubscribe();
    expect(await waited).toMatchObject({ delivered: 0, failed: 1, timedOut: 0 });
    release.resolve();
  });

  it('unsubscribing while a retry waits out its delay, or before a running call fails, counts it failed', async () => {
    const waiting = events.subscribe(
      'retry',
      () => {
        throw new Error('fails');
      },
      { retries: 3, retryDelayMs: 60_000 },
    );
    const first = events.publishAndWait('retry', 't', null, { timeoutMs: 30_000 });
    await waitFor(() => events.stats().handlerErrors === 1, 'the first attempt');
    waiting.unsubscribe();
    expect(await first).toMatchObject({ delivered: 0, failed: 1, timedOut: 0 });

    const release = deferred();
    const running = events.subscribe(
      'running',
      async () => {
        await release.promise;
        throw new Error('fails after unsubscribe');
      },
      { retries: 3, retryDelayMs: 60_000 },
    );
    const second = events.publishAndWait('running', 't', null, { timeoutMs: 30_000 });
    await waitFor(() => events.stats().mailboxDepth === 0, 'the call to start');
    running.unsubscribe();
    release.resolve();
    expect(await second).toMatchObject({ delivered: 0, failed: 1, timedOut: 0 });
  });

  it('unsubscribing while a call runs that then succeeds, or fails into an immediate retry that succeeds: delivered', async () => {
    const release = deferred();
    let calls = 0;
    const subscription = events.subscribe(
      'again',
      async () => {
        calls++;
        await release.promise;
        if (calls === 1) throw new Error('first call fails');
      },
      { retries: 1 },
    );
    const waited = events.publishAndWait('again', 't', null, { timeoutMs: 30_000 });
    await waitFor(() => calls === 1, 'the call to start');
    subscription.unsubscribe();
    release.resolve();
    expect(await waited).toMatchObject({ delivered: 1, failed: 0, timedOut: 0 });
    expect(calls).toBe(2);
  });

  it('refusals resolve as the result object, never reject', async () => {
    events.subscribe('*', () => undefined);
    await expect(events.publishAndWait('bad topic', 't')).resolves.toMatchObject({ ok: false, reason: 'invalid_topic' });
    await expect(events.publishAndWait('ok', '')).resolves.toMatchObject({ ok: false, reason: 'invalid_type' });
    await expect(events.publishAndWait('ok', 't', null, { timeoutMs: -1 })).resolves.toMatchObject({
      ok: false,
      reason: 'invalid_message',
      error: expect.stringMatching(/publishAndWait timeoutMs/),
    });
    await expect(events.publishAndWait('ok', 't', null, { timeoutMs: 'soon' as unknown as number })).resolves.toMatchObject({
      ok: false,
      reason: 'invalid_message',
    });
    const hostile = Object.defineProperty({}, 'timeoutMs', {
      get() {
        throw new Error('no reading');
      },
    });
    await expect(events.publishAndWait('ok', 't', null, hostile)).resolves.toMatchObject({ ok: false, reason: 'invalid_message' });
    await expect(events.publishAndWait('ok', 't', null, 5 as never)).resolves.toMatchObject({ ok: false, reason: 'invalid_message' });
    expect(events.stats()).toMatchObject({ published: 0, failedPublications: 6 });
    // Nothing refused is left waiting.
    expect(await events.publishAndWait('ok', 't')).toMatchObject({ ok: true, delivered: 1 });
  });

  it('during and after shutdown it refuses with closed; a wait open at shutdown ends when its handler does', async () => {
    const release = deferred();
    events.subscribe('slow', () => release.promise);
    const waited = events.publishAndWait('slow', 't', null, { timeoutMs: 60_000 });
    await waitFor(() => events.stats().mailboxDepth === 0, 'the first message to start');
    const closing = app.close();
    await waitFor(() => !events.publish('probe', 't').ok, 'shutdown to begin');
    expect(await events.publishAndWait('slow', 't')).toMatchObject({ ok: false, reason: 'closed' });
    release.resolve();
    expect(await waited).toMatchObject({ ok: true, delivered: 1, failed: 0, timedOut: 0 });
    await closing;
    expect(await events.publishAndWait('slow', 't')).toMatchObject({ ok: false, reason: 'closed' });
    app = await testApp(); // afterEach closes this one
  });
});

describe('publishAndWait through PubSubModule.forRoot and decorated handlers', () => {
  it('waits for the decorated handlers', async () => {
    @Injectable()
    class Orders {
      readonly handled: unknown[] = [];
      @OnEvents('order:*')
      async onOrder(m: PubSubMessage) {
        await tick(2);
        this.handled.push(m.payload);
      }
      @OnEvents('order:*', { retries: 1 })
      failing() {
        throw new Error('decorated failure');
      }
    }
    const app = await startApp({ providers: [Orders] });
    try {
      const result = await app.get(PubSubManager).channel('events').publishAndWait('order:9', 'placed', 9);
      expect(result).toMatchObject({ ok: true, delivered: 1, failed: 1, timedOut: 0 });
      expect(app.get(Orders).handled).toEqual([9]);
    } finally {
      await app.close();
    }
  });
});
