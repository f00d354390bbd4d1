import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { startApp, tick } from '../support/pubsub-app.js';
import { waitFor } from '../support/channels.js';
import { recordAccounting, recordFigure } from './support/figures.js';

/**
 * Shutdown under a backlog: 99,505 messages still queued at close were counted nowhere, handlers ran after
 * app.close() resolved, and publish was accepted during the drain.
 */
describe('hardening: shutdown with a backlog', () => {
  afterEach(() => jest.restoreAllMocks());

  it('counts what the drain timeout discards, runs no handler after close, refuses publish during shutdown', async () => {
    const warnings: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    const app = await startApp({ options: { integration: true, healthBroadcastInterval: 600_000, metricsBroadcastInterval: 600_000 } });
    const manager = app.get(PubSubManager);
    const events = manager.channel('events');
    const lifecycle: string[] = [];
    manager.channel('system').subscribe('lifecycle', (m: PubSubMessage) => void lifecycle.push((m.payload as { event: string }).event));
    await manager.drain(1_000);

    const BACKLOG = 100_000;
    let calls = 0;
    let callsAfterClose = 0;
    let closeResolved = false;
    events.subscribe(
      'backlog',
      async () => {
        calls++;
        if (closeResolved) callsAfterClose++;
        await tick(20);
      },
      { mailboxSize: BACKLOG },
    );
    for (let i = 0; i < BACKLOG; i++) expect(events.publish('backlog', 'item', i).ok).toBe(true);

    const startedAt = Date.now();
    const closing = app.close();
    const systemPublished = manager.channel('system').stats().published;
    await waitFor(() => manager.channel('system').stats().published > systemPublished, 'the stopping announcement');
    // From the start of shutdown, user publications are refused.
    expect(events.publish('backlog', 'late', 0)).toMatchObject({ ok: false, reason: 'closed' });
    expect(events.publish('backlog', { type: 'late' })).toMatchObject({ ok: false, reason: 'closed' });
    expect(manager.channel('metrics').publish('any', 'late')).toMatchObject({ ok: false, reason: 'closed' });
    await closing;
    closeResolved = true;
    const elapsed = Date.now() - startedAt;

    const stats = events.stats();
    expect(stats.delivered).toBeGreaterThan(0);
    expect(stats.delivered + stats.dropped).toBe(BACKLOG);
    expect(stats).toMatchObject({ published: BACKLOG, mailboxDepth: 0, failedPublications: 2 });
    // The abandoned in-flight call is counted in dropped, never as delivered later.
    expect(calls).toBeLessThanOrEqual(stats.delivered + 1);
    const callsAtClose = calls;
    await tick(200);
    expect(callsAfterClose).toBe(0);
    expect(calls).toBe(callsAtClose);
    expect(events.stats()).toEqual(stats);
    // Subscribed after start-up: only the stopping announcement, delivered during the drain.
    expect(lifecycle).toEqual(['stopping']);
    // Bounded: the 5 s drain timeout plus a little.
    expect(elapsed).toBeLessThan(9_000);
    const summaries = warnings.filter((w) => w.includes('discarded'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain(`${stats.dropped}`);
    expect(summaries[0]).toContain('events');
    expect(await manager.drain(10)).toBe(true);

    recordFigure('faults survived');
    recordAccounting('shutdown with 100000 queued behind a slow handler', {
      sent: BACKLOG,
      delivered: stats.delivered,
      counted: stats.dropped,
    });
  }, 30_000);

  it('a handler that never settles does not keep app.close() waiting past the drain timeout, and is counted', async () => {
    const app = await startApp();
    const manager = app.get(PubSubManager);
    const events = manager.channel('events');
    events.subscribe('stuck', () => new Promise<void>(() => {}), { concurrency: 2 });
    for (let i = 0; i < 5; i++) events.publish('stuck', 'n', i);
    const startedAt = Date.now();
    await app.close();
    expect(Date.now() - startedAt).toBeLessThan(9_000);
    expect(events.stats()).toMatchObject({ published: 5, delivered: 0, dropped: 5, mailboxDepth: 0 });
    expect(await manager.drain(10)).toBe(true);
    recordFigure('faults survived');
    recordAccounting('shutdown with never-settling handlers', { sent: 5, delivered: 0, counted: 5 });
  }, 30_000);
});
