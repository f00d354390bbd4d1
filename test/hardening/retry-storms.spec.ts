import type { DeadLetterPayload } from '@gater/pubsub';
import { Inbox } from '../support/pubsub-app.js';
import { createChannels } from '../support/channels.js';
import { recordAccounting, recordFigure } from './support/figures.js';

/**
 * Retries must be iterative whatever `retries` is: a recursive retry path overflowed the stack (synchronous
 * throws, ~3,000 retries) or silently stopped (thenables rejecting synchronously, ~1,220 calls).
 */
const RETRIES = 100_000;

type Thenable = { then(resolve: (value?: unknown) => void, reject: (error: unknown) => void): void };

async function storm(handler: () => unknown, retries = RETRIES) {
  const set = createChannels();
  const deadLetters = new Inbox();
  set.channel('diagnostics').subscribe('dead_letter:*', deadLetters.handler);
  let calls = 0;
  set.channel('events').subscribe(
    'storm',
    () => {
      calls++;
      return handler();
    },
    { retries },
  );
  const published = set.channel('events').publish('storm', 'boom');
  expect(published.ok).toBe(true);
  const drained = await set.drain(15_000);
  return { set, deadLetters, drained, calls: () => calls };
}

describe('hardening: retry storms', () => {
  it('a synchronous throw with retries 100_000 ends in one dead letter and exact handlerErrors', async () => {
    const { set, deadLetters, drained, calls } = await storm(() => {
      throw new Error('sync failure');
    });
    expect(drained).toBe(true);
    expect(calls()).toBe(RETRIES + 1);
    expect(set.channel('events').stats()).toMatchObject({ published: 1, delivered: 0, handlerErrors: RETRIES + 1, mailboxDepth: 0 });
    expect(deadLetters.messages).toHaveLength(1);
    expect((deadLetters.messages[0].payload as DeadLetterPayload).attempts).toBe(RETRIES + 1);
    expect(await set.drain(1_000)).toBe(true);
    recordFigure('faults survived');
    recordAccounting('sync throw, retries 100000', { sent: 1, delivered: 0, counted: deadLetters.messages.length });
  });

  it('a thenable that rejects synchronously with retries 100_000 ends in one dead letter and exact handlerErrors', async () => {
    const { set, deadLetters, drained, calls } = await storm((): Thenable => ({
      then: (_resolve, reject) => reject(new Error('sync rejection')),
    }));
    expect(drained).toBe(true);
    expect(calls()).toBe(RETRIES + 1);
    expect(set.channel('events').stats()).toMatchObject({ published: 1, delivered: 0, handlerErrors: RETRIES + 1, mailboxDepth: 0 });
    expect(deadLetters.messages).toHaveLength(1);
    expect(await set.drain(1_000)).toBe(true);
    recordFigure('faults survived');
    recordAccounting('sync-rejecting thenable, retries 100000', { sent: 1, delivered: 0, counted: deadLetters.messages.length });
  });

  it('a thenable whose then() throws, with large retries, is retried iteratively too', async () => {
    const { set, deadLetters, drained, calls } = await storm(
      (): Thenable => ({
        then: () => {
          throw new Error('then getter broken');
        },
      }),
      20_000,
    );
    expect(drained).toBe(true);
    expect(calls()).toBe(20_001);
    expect(set.channel('events').stats()).toMatchObject({ handlerErrors: 20_001 });
    expect(deadLetters.messages).toHaveLength(1);
    recordFigure('faults survived');
  });

  it('a thenable that rejects synchronously twice, then resolves, counts one outcome per call', async () => {
    const { set, deadLetters, drained, calls } = await storm(
      (): Thenable => ({
        then: (resolve, reject) => {
          reject(new Error('first'));
          reject(new Error('second'));
          resolve();
        },
      }),
      5_000,
    );
    expect(drained).toBe(true);
    expect(calls()).toBe(5_001);
    expect(set.channel('events').stats()).toMatchObject({ handlerErrors: 5_001, delivered: 0 });
    expect(deadLetters.messages).toHaveLength(1);
    recordFigure('faults survived');
  });

  it('a thenable that fails synchronously and then succeeds on a later attempt delivers once', async () => {
    let attempt = 0;
    const { set, deadLetters, drained } = await storm((): Thenable => {
      attempt++;
      const succeed = attempt > 50_000;
      return { then: (resolve, reject) => (succeed ? resolve() : reject(new Error(`attempt ${attempt}`))) };
    });
    expect(drained).toBe(true);
    expect(set.channel('events').stats()).toMatchObject({ delivered: 1, handlerErrors: 50_000 });
    expect(deadLetters.messages).toHaveLength(0);
    recordFigure('faults survived');
  });

  it('a never-settling thenable keeps its concurrency slot: the messages behind it stay queued and counted', async () => {
    const set = createChannels();
    let calls = 0;
    set.channel('events').subscribe(
      'stuck',
      () => {
        calls++;
        return { then: () => {} };
      },
      { retries: 1_000 },
    );
    for (let i = 0; i < 10; i++) set.channel('events').publish('stuck', 'n', i);
    expect(await set.drain(50)).toBe(false);
    expect(calls).toBe(1);
    expect(set.channel('events').stats()).toMatchObject({ published: 10, delivered: 0, handlerErrors: 0, mailboxDepth: 9 });
    expect(set.channel('events').counters.outstanding).toBe(10);
    recordFigure('faults survived');
  });

  it('a storm on one subscription does not stop other messages from being delivered', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    set.channel('events').subscribe(
      'storm',
      () => {
        throw new Error('always');
      },
      { retries: RETRIES },
    );
    set.channel('events').subscribe('calm', inbox.handler);
    set.channel('events').publish('storm', 'boom');
    for (let i = 0; i < 100; i++) set.channel('events').publish('calm', 'n', i);
    expect(await set.drain(15_000)).toBe(true);
    expect(inbox.messages).toHaveLength(100);
    recordFigure('faults survived');
  });
});
