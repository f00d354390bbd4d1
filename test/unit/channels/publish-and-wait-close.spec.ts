import { createChannels, waitFor } from '../../support/channels.js';

describe('publishAndWait and Channel.close', () => {
  it('close ends the open waits: what no handler will finish now counts as failed (it is counted in dropped)', async () => {
    const set = createChannels();
    const events = set.channel('events');
    events.subscribe('hang', () => new Promise(() => undefined));
    events.subscribe('hang', () => undefined, { concurrency: 1 });
    const waited = events.publishAndWait('hang', 't', null, { timeoutMs: 60_000 });
    await waitFor(() => events.stats().delivered === 1, 'the quick handler');
    set.close();
    expect(await waited).toMatchObject({ ok: true, delivered: 1, failed: 1, timedOut: 0 });
    expect(events.stats().dropped).toBe(1);
    expect(await events.publishAndWait('hang', 't')).toMatchObject({ ok: false, reason: 'closed' });
  });
});
