import { PubSubManager } from '@gater/pubsub';
import { createChannels, RecordingLogger } from '../support/channels.js';
import { recordFigure } from './support/figures.js';

/**
 * drain(Infinity), drain(NaN) and timeouts over 2^31-1 returned false after ~1 ms: setTimeout fires at once
 * for delays it cannot take. Infinity now waits without a limit, larger delays chain timers, and NaN or a
 * negative value waits for the default (5 s) with a warning.
 */
const HANDLER_MS = 60;

function busySetup() {
  const logger = new RecordingLogger();
  const set = createChannels({ logger });
  const manager = new PubSubManager(set);
  const events = set.channel('events');
  events.subscribe('slow', () => new Promise<void>((resolve) => setTimeout(resolve, HANDLER_MS)));
  const publishSome = (n = 3): void => {
    for (let i = 0; i < n; i++) events.publish('slow', 'n', i);
  };
  return { logger, set, manager, events, publishSome };
}

const timed = async (drain: () => Promise<boolean>): Promise<{ result: boolean; ms: number }> => {
  const startedAt = Date.now();
  const result = await drain();
  return { result, ms: Date.now() - startedAt };
};

describe('hardening: drain timeouts', () => {
  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^31', 2 ** 31],
    ['2^31 - 1', 2 ** 31 - 1],
    ['2^40', 2 ** 40],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
    ['Number.MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
  ])('drain(%s) on a busy channel waits until it is idle, on Channel and on PubSubManager', async (_label, timeoutMs) => {
    const { events, manager, logger, publishSome } = busySetup();
    publishSome();
    const [channel, all] = await Promise.all([timed(() => events.drain(timeoutMs)), timed(() => manager.drain(timeoutMs))]);
    expect(channel.result).toBe(true);
    expect(all.result).toBe(true);
    expect(channel.ms).toBeGreaterThanOrEqual(HANDLER_MS * 2);
    expect(events.stats()).toMatchObject({ delivered: 3, mailboxDepth: 0 });
    expect(logger.warnings).toEqual([]);
    recordFigure('hostile inputs tried', 2);
  });

  it.each([
    ['NaN', Number.NaN],
    ['-1', -1],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a numeric string', '100'],
    ['null', null],
  ])('drain(%s) waits for the default timeout instead of failing at once, with a warning', async (label, timeoutMs) => {
    const { events, manager, logger, publishSome } = busySetup();
    publishSome();
    const [channel, all] = await Promise.all([
      timed(() => events.drain(timeoutMs as never)),
      timed(() => manager.drain(timeoutMs as never)),
    ]);
    expect(channel.result).toBe(true);
    expect(all.result).toBe(true);
    expect(logger.warnings.filter((w) => w.includes('drain(') && w.includes('5000 ms'))).toHaveLength(2);
    expect(logger.warnings[0]).toContain(label === 'a numeric string' ? "drain('100')" : `drain(${label})`);
    recordFigure('hostile inputs tried', 2);
  });

  it('an invalid timeout is bounded by the default: a channel that never goes idle gives false after ~5 s', async () => {
    const set = createChannels();
    const manager = new PubSubManager(set);
    set.channel('events').subscribe('stuck', () => new Promise<void>(() => {}));
    set.channel('events').publish('stuck', 'n');
    const [channel, all] = await Promise.all([timed(() => set.channel('events').drain(Number.NaN)), timed(() => manager.drain(-5))]);
    for (const { result, ms } of [channel, all]) {
      expect(result).toBe(false);
      expect(ms).toBeGreaterThanOrEqual(4_900);
      expect(ms).toBeLessThan(8_000);
    }
    recordFigure('hostile inputs tried', 2);
  }, 15_000);

  it('drain(0) and small timeouts still mean what they say', async () => {
    const { events, manager, publishSome } = busySetup();
    expect(await events.drain(0)).toBe(true);
    publishSome();
    expect(await events.drain(0)).toBe(false);
    expect(await manager.drain(10)).toBe(false);
    expect(await manager.drain()).toBe(true);
  });
});

describe('hardening: publish with something that is not a message', () => {
  it.each([
    ['42', 42],
    ['undefined', undefined],
    ['null', null],
    ['true', true],
    ['a symbol', Symbol('t')],
    ['a BigInt', 10n],
    ['a function', () => 't'],
    ['an array', ['t']],
  ])('publish(topic, %s) returns invalid_type and never throws', (_label, value) => {
    const set = createChannels();
    const events = set.channel('events');
    expect(events.publish('a:b', value as never)).toEqual({ ok: false, reason: 'invalid_type', error: expect.any(String) });
    expect(events.stats()).toMatchObject({ published: 0, failedPublications: 1 });
    recordFigure('hostile inputs tried');
  });
});
