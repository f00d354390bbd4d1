import { instrumentHandler, type HandlerInstrument } from '../../../libs/pubsub/src/observability/instrument-handler.js';
import { DurationTally } from '../../../libs/pubsub/src/observability/duration-tally.js';
import { RuntimeObservability } from '../../../libs/pubsub/src/observability/runtime-observability.js';
import { LocalOnlyTransport } from '../../../libs/pubsub/src/transport/transport-layer.js';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { createChannels, deferred, waitFor } from '../../support/channels.js';

const target = { channel: 'events' as const, subscription: 'events-sub-1' };
const message = { id: '1', channel: 'events', topic: 't', type: 'x', payload: null, timestamp: 0, node: 'n' } as PubSubMessage;

function recorder(): { instrument: HandlerInstrument; ends: { error: unknown; failed: boolean }[] } {
  const ends: { error: unknown; failed: boolean }[] = [];
  return { ends, instrument: { begin: () => ({ end: (error, failed) => void ends.push({ error, failed }) }) } };
}

describe('instrumentHandler', () => {
  it('returns the handler itself when there is nothing to instrument', () => {
    const handler = () => 1;
    expect(instrumentHandler(handler, target, {})).toBe(handler);
  });

  it('keeps synchronous results and throws, and finishes each call once', () => {
    const { instrument, ends } = recorder();
    expect(instrumentHandler(() => 42, target, { tracing: instrument })(message)).toBe(42);
    const boom = new Error('boom');
    expect(() =>
      instrumentHandler(
        () => {
          throw boom;
        },
        target,
        { tracing: instrument },
      )(message),
    ).toThrow(boom);
    expect(ends).toEqual([
      { error: undefined, failed: false },
      { error: boom, failed: true },
    ]);
  });

  it('settles on the first outcome of a hostile thenable, and treats a throwing then() as a rejection', async () => {
    const { instrument, ends } = recorder();
    const twice = {
      then: (ok: (v: unknown) => void, fail: (e: unknown) => void) => {
        ok('first');
        fail(new Error('late'));
        ok('again');
      },
    };
    await expect(instrumentHandler(() => twice, target, { tracing: instrument })(message)).resolves.toBe('first');
    const throwing = {
      then: () => {
        throw new Error('then broke');
      },
    };
    await expect(instrumentHandler(() => throwing, target, { tracing: instrument })(message)).rejects.toThrow('then broke');
    await expect(instrumentHandler(() => Promise.reject(new Error('no')), target, { tracing: instrument })(message)).rejects.toThrow('no');
    expect(ends.map((end) => end.failed)).toEqual([false, true, true]);
  });

  it('times every call, thrown, returned or settled later, into the tally, inside the span', async () => {
    const durations = new DurationTally([0.001, 1]);
    const { instrument, ends } = recorder();
    const both = { durations, tracing: instrument };
    instrumentHandler(() => 1, target, both)(message);
    expect(() =>
      instrumentHandler(
        () => {
          throw new Error('x');
        },
        target,
        both,
      )(message),
    ).toThrow('x');
    await instrumentHandler(() => new Promise((resolve) => setTimeout(resolve, 5)), target, { durations })(message);
    expect(durations.count).toBe(3);
    expect(durations.counts[0] + durations.counts[1]).toBe(3);
    expect(durations.counts[1]).toBeGreaterThanOrEqual(1); // the 5 ms call is above 1 ms
    expect(durations.sum).toBeGreaterThanOrEqual(0.004);
    expect(ends).toHaveLength(2);
  });

  it('installs no handler hook when no instrument is configured, so handlers run unwrapped', async () => {
    const channels = createChannels();
    const settings = { nodeName: 'n' } as never;
    await RuntimeObservability.start(
      { metrics: undefined, tracing: false },
      channels,
      new LocalOnlyTransport({ settings, logger: console }),
    );
    expect(channels.hooks.wrapHandler).toBeUndefined();
    const seen = deferred<PubSubMessage>();
    channels.channel('events').subscribe('*', (m) => seen.resolve(m));
    channels.channel('events').publish('a', 't');
    await expect(seen.promise).resolves.toEqual(expect.objectContaining({ topic: 'a' }));
    await waitFor(() => channels.channel('events').stats().delivered === 1, 'delivery');
  });
});
