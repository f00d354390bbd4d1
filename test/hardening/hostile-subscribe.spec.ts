import { Injectable } from '@nestjs/common';
import { OnEvents, PubSubError, PubSubManager, getChannelToken, type PubSubMessage } from '@gater/pubsub';
import { createChannels } from '../support/channels.js';
import { startApp } from '../support/pubsub-app.js';
import { recordFigure } from './support/figures.js';

/** subscribe() throws a named PubSubError for bad arguments, never a raw TypeError or RangeError. */
function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function nestedArray(depth: number): unknown {
  let value: unknown = [1];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function nestedObject(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { inner: value };
  return value;
}

const revoked = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

const throwingProxy = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('trap says no');
      },
    },
  );

const noop = (): void => {};

describe('hardening: hostile subscribe arguments', () => {
  const badOptions: [string, unknown, RegExp][] = [
    ['null', null, /options must be an object/],
    ['a number', 42, /options must be an object/],
    ['a string', 'retries', /options must be an object/],
    ['true', true, /options must be an object/],
    ['a function', () => 3, /options must be an object/],
    ['a deeply nested array as mailboxSize', { mailboxSize: nestedArray(100_000) }, /mailboxSize must be a positive integer/],
    ['a deeply nested object as mailboxSize', { mailboxSize: nestedObject(100_000) }, /mailboxSize must be a positive integer/],
    ['a nested object as concurrency', { concurrency: { value: 2 } }, /concurrency must be a positive integer/],
    ['a null-prototype object as retries', { retries: Object.create(null) }, /retries must be a non-negative integer/],
    ['a symbol as overflow', { overflow: Symbol('drop') }, /overflow must be/],
    ['a BigInt as retries', { retries: 3n }, /retries must be/],
    [
      'an object with a throwing toString as mailboxSize',
      {
        mailboxSize: {
          toString: () => {
            throw new Error('no');
          },
        },
      },
      /mailboxSize/,
    ],
    [
      'a throwing getter',
      {
        get retries(): number {
          throw new Error('getter says no');
        },
      },
      /options could not be read: getter says no/,
    ],
    ['a Proxy whose traps throw', throwingProxy(), /options could not be read: trap says no/],
    ['a revoked Proxy', revoked(), /options could not be read/],
  ];

  it.each(badOptions)('options %s: PubSubError invalid_subscribe_options naming the problem', (_what, options, text) => {
    const set = createChannels();
    const error = thrown(() => set.channel('events').subscribe('a', noop, options as never));
    expect(error).toBeInstanceOf(PubSubError);
    expect(error).toMatchObject({ name: 'PubSubError', code: 'invalid_subscribe_options' });
    expect((error as Error).message).toMatch(text);
    expect((error as Error).message).toContain("channel 'events'");
    // observe() checks the same way, at once.
    expect(thrown(() => set.channel('events').observe('a', options as never))).toMatchObject({ code: 'invalid_subscribe_options' });
    expect(set.channel('events').stats().subscriptions).toBe(0);
    recordFigure('hostile inputs tried', 2);
  });

  it.each(['#', 'a:#', 'orders:+:created', 'a:>', '>', 'a:**', '**', '+'])(
    "pattern %j (another broker's wildcard) fails with an error that says to use *",
    (pattern) => {
      const set = createChannels();
      const error = thrown(() => set.channel('events').subscribe(pattern, noop));
      expect(error).toBeInstanceOf(PubSubError);
      expect(error).toMatchObject({ code: 'invalid_pattern' });
      expect((error as Error).message).toContain("use '*'");
      expect(thrown(() => set.channel('events').subscribe(['ok', pattern], noop))).toMatchObject({ code: 'invalid_pattern' });
      recordFigure('hostile inputs tried', 2);
    },
  );

  it('ordinary characters that happen to be wildcards elsewhere are fine inside a segment', () => {
    const set = createChannels();
    expect(() => set.channel('events').subscribe(['orders#1:*', 'a+b', 'x>y'], noop)).not.toThrow();
  });

  it('unreadable patterns, a missing handler and a closed channel each get their own code', () => {
    const set = createChannels();
    const events = set.channel('events');
    const cases: [() => unknown, string][] = [
      [() => events.subscribe(revoked() as never, noop), 'invalid_pattern'],
      [
        () =>
          events.subscribe(
            new Proxy(['a'], {
              get: () => {
                throw new Error('no');
              },
            }) as never,
            noop,
          ),
        'invalid_pattern',
      ],
      [() => events.subscribe([], noop), 'invalid_pattern'],
      [() => events.subscribe(42 as never, noop), 'invalid_pattern'],
      [() => events.subscribe('a::b', noop), 'invalid_pattern'],
      [() => events.subscribe('a', null as never), 'invalid_handler'],
      [() => events.subscribe('a', 'handler' as never), 'invalid_handler'],
    ];
    for (const [action, code] of cases) {
      const error = thrown(action);
      expect(error).toBeInstanceOf(PubSubError);
      expect(error).toMatchObject({ code });
    }
    events.close();
    expect(thrown(() => events.subscribe('a', noop))).toMatchObject({ name: 'PubSubError', code: 'channel_closed' });
    recordFigure('hostile inputs tried', cases.length + 1);
  });

  it("the decorators' start-up check says to use * as well", async () => {
    @Injectable()
    class MqttHabits {
      @OnEvents('orders:#')
      onOrder(_message: PubSubMessage) {}
    }
    await expect(startApp({ providers: [MqttHabits] })).rejects.toThrow(/MqttHabits\.onOrder.*'#' is another broker's wildcard; use '\*'/);
    recordFigure('hostile inputs tried');
  });
});

describe('hardening: unknown channel names', () => {
  it.each(['nope', '', 'Events', '__proto__', 'constructor', 42, null])('channel(%j) throws PubSubError unknown_channel', (name) => {
    const manager = new PubSubManager(createChannels());
    const error = thrown(() => manager.channel(name as never));
    expect(error).toBeInstanceOf(PubSubError);
    expect(error).toMatchObject({ code: 'unknown_channel' });
    expect(() => getChannelToken(name as never)).toThrow(PubSubError);
    recordFigure('hostile inputs tried', 2);
  });
});
