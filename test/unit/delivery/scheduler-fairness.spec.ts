import type { ChannelName } from '@gater/pubsub';
import { createChannels, waitFor } from '../../support/channels.js';

const FLOOD = 200_000;

/** A handler that does a little work per message and counts its calls. */
function slowish(): { handler: () => void; count: () => number } {
  let calls = 0;
  let sink = 0;
  return {
    handler: () => {
      for (let i = 0; i < 50; i++) sink = (sink + i * calls) % 9_973;
      calls++;
    },
    count: () => calls + (sink < 0 ? 1 : 0),
  };
}

describe('scheduler: channel isolation under flood', () => {
  it('alerts, security and audit messages published after a 200k metrics flood are served long before the backlog is done', async () => {
    const set = createChannels();
    const metrics = slowish();
    set.channel('metrics').subscribe('flood', metrics.handler, { mailboxSize: FLOOD });
    const metricsAtArrival = new Map<ChannelName, number>();
    const priorities: ChannelName[] = ['alerts', 'security', 'audit'];
    for (const priority of priorities) {
      set.channel(priority).subscribe('urgent:*', () => metricsAtArrival.set(priority, metrics.count()));
    }
    for (let i = 0; i < FLOOD; i++) set.channel('metrics').publish('flood', 'throughput_metric', i);
    for (const priority of priorities) set.channel(priority).publish('urgent:1', 'system_alert');
    let metricsAtTimer = -1;
    setTimeout(() => (metricsAtTimer = metrics.count()), 0);
    await waitFor(() => metricsAtArrival.size === 3, 'the priority messages');
    for (const priority of priorities) expect(metricsAtArrival.get(priority)).toBeLessThan(FLOOD / 20);
    // Timers keep running under the flood too.
    await waitFor(() => metricsAtTimer >= 0, 'the timer');
    expect(metricsAtTimer).toBeLessThan(FLOOD / 2);
    expect(await set.drain(10_000)).toBe(true);
    expect(metrics.count()).toBe(FLOOD);
    expect(set.channel('metrics').stats()).toMatchObject({ published: FLOOD, delivered: FLOOD, dropped: 0, mailboxDepth: 0 });
  });

  it('a priority message published in the middle of a flood is served within the next turns', async () => {
    const FLOOD = 100_000;
    const set = createChannels();
    const metrics = slowish();
    let metricsAtPublish = -1;
    let metricsAtArrival = -1;
    set.channel('metrics').subscribe(
      'flood',
      () => {
        metrics.handler();
        if (metrics.count() === FLOOD / 4) {
          metricsAtPublish = metrics.count();
          setImmediate(() => set.channel('alerts').publish('system_alerts:critical', 'system_alert'));
        }
      },
      { mailboxSize: FLOOD },
    );
    set.channel('alerts').subscribe('system_alerts:*', () => {
      metricsAtArrival = metrics.count();
    });
    for (let i = 0; i < FLOOD; i++) set.channel('metrics').publish('flood', 'throughput_metric', i);
    await waitFor(() => metricsAtArrival >= 0, 'the alert');
    expect(metricsAtPublish).toBe(FLOOD / 4);
    expect(metricsAtArrival - metricsAtPublish).toBeLessThan(FLOOD / 10);
    expect(await set.drain(10_000)).toBe(true);
  });

  it('serves the priority channels first when several channels have work', async () => {
    const set = createChannels();
    const metrics = slowish();
    const FLOOD = 100_000;
    const BURST = 20_000;
    set.channel('metrics').subscribe('flood', metrics.handler, { mailboxSize: FLOOD });
    let alerts = 0;
    let metricsWhenAlertsDone = -1;
    set.channel('alerts').subscribe(
      'burst',
      () => {
        if (++alerts === BURST) metricsWhenAlertsDone = metrics.count();
      },
      { mailboxSize: BURST },
    );
    for (let i = 0; i < FLOOD; i++) set.channel('metrics').publish('flood', 'throughput_metric', i);
    for (let i = 0; i < BURST; i++) set.channel('alerts').publish('burst', 'system_alert', i);
    await waitFor(() => metricsWhenAlertsDone >= 0, 'the alert burst');
    // Round-robin alone would have served about as many metrics as alerts by then.
    expect(metricsWhenAlertsDone).toBeLessThan(BURST / 4);
    expect(await set.drain(10_000)).toBe(true);
  });

  it('a flood on one ordinary channel does not starve another (round-robin)', async () => {
    const set = createChannels();
    const metrics = slowish();
    const events = slowish();
    const HALF = 50_000;
    let metricsAtLogging = -1;
    let eventsAtMetricsHalfway = -1;
    set.channel('metrics').subscribe(
      'flood',
      () => {
        metrics.handler();
        if (metrics.count() === HALF / 2) eventsAtMetricsHalfway = events.count();
      },
      { mailboxSize: HALF },
    );
    set.channel('events').subscribe('flood', events.handler, { mailboxSize: HALF });
    set.channel('logging').subscribe('log:*', () => {
      metricsAtLogging = metrics.count();
    });
    for (let i = 0; i < HALF; i++) set.channel('metrics').publish('flood', 'throughput_metric', i);
    set.channel('logging').publish('log:app', 'log_entry');
    for (let i = 0; i < HALF; i++) set.channel('events').publish('flood', 'event', i);
    await waitFor(() => metricsAtLogging >= 0, 'the logging message');
    expect(metricsAtLogging).toBeLessThan(HALF / 20);
    expect(await set.drain(10_000)).toBe(true);
    // Events published after the whole metrics flood still progressed alongside it.
    expect(eventsAtMetricsHalfway).toBeGreaterThan(HALF / 4);
    expect(metrics.count()).toBe(HALF);
    expect(events.count()).toBe(HALF);
  });

  it('gives every subscription of one channel its share', async () => {
    const set = createChannels();
    const first = slowish();
    const second = slowish();
    const TOTAL = 20_000;
    let secondAtFirstDone = -1;
    set.channel('metrics').subscribe(
      'flood',
      () => {
        first.handler();
        if (first.count() === TOTAL) secondAtFirstDone = second.count();
      },
      { mailboxSize: TOTAL },
    );
    set.channel('metrics').subscribe('flood', second.handler, { mailboxSize: TOTAL });
    for (let i = 0; i < TOTAL; i++) set.channel('metrics').publish('flood', 'throughput_metric', i);
    expect(await set.drain(10_000)).toBe(true);
    expect(secondAtFirstDone).toBeGreaterThan(TOTAL / 2);
  });
});
