import type { DeadLetterPayload } from '@gater/pubsub';
import { Inbox, tick } from '../../support/pubsub-app.js';
import { createChannels, deferred } from '../../support/channels.js';
import { untilTurns } from '../../support/until.js';

describe('channel shutdown', () => {
  it('stopPublishing refuses publications with closed but still delivers what was accepted, dead letters included', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    const deadLetters = new Inbox();
    set.channel('diagnostics').subscribe('dead_letter:*', deadLetters.handler);
    set.channel('events').subscribe('ok', inbox.handler);
    set.channel('events').subscribe('bad', () => {
      throw new Error('fails during the drain');
    });
    set.channel('events').publish('ok', 'a');
    set.channel('events').publish('bad', 'b');
    set.stopPublishing();
    expect(set.channel('events').publish('ok', 'late')).toMatchObject({ ok: false, reason: 'closed' });
    expect(set.channel('diagnostics').publish('x', 'late')).toMatchObject({ ok: false, reason: 'closed' });
    expect(await set.drain(1_000)).toBe(true);
    expect(inbox.messages.map((m) => m.type)).toEqual(['a']);
    expect((deadLetters.messages[0]?.payload as DeadLetterPayload | undefined)?.error).toBe('fails during the drain');
    expect(set.channel('events').stats()).toMatchObject({ published: 2, delivered: 1, failedPublications: 1, handlerErrors: 1 });
  });

  it('close discards waiting and running messages into dropped; a call settling later starts nothing', async () => {
    const set = createChannels();
    const release = deferred();
    let calls = 0;
    set.channel('events').subscribe(
      'slow',
      async () => {
        calls++;
        await release.promise;
        throw new Error('rejects after close');
      },
      { retries: 5, concurrency: 2 },
    );
    for (let i = 0; i < 10; i++) set.channel('events').publish('slow', 'n', i);
    await untilTurns(() => calls === 2, 'both concurrency slots to start');
    expect(calls).toBe(2);
    expect(set.close()).toEqual({ events: 10 });
    expect(set.channel('events').stats()).toMatchObject({ published: 10, delivered: 0, dropped: 10, mailboxDepth: 0, handlerErrors: 0 });
    release.resolve();
    await tick(20);
    expect(calls).toBe(2);
    expect(set.channel('events').stats()).toMatchObject({ delivered: 0, dropped: 10, handlerErrors: 0 });
    expect(await set.drain(10)).toBe(true);
    expect(set.close()).toEqual({});
  });

  it('a handler that closes its own channel mid-storm ends the retries, counted once', async () => {
    const set = createChannels();
    let calls = 0;
    set.channel('events').subscribe(
      'storm',
      () => {
        if (++calls === 100) set.channel('events').close();
        throw new Error('always');
      },
      { retries: 10_000 },
    );
    set.channel('events').publish('storm', 'boom');
    set.channel('events').publish('storm', 'queued');
    expect(await set.drain(5_000)).toBe(true);
    expect(calls).toBe(100);
    expect(set.channel('events').stats()).toMatchObject({ published: 2, delivered: 0, dropped: 2, handlerErrors: 100 });
    expect(set.channel('events').counters.outstanding).toBe(0);
  });
});
