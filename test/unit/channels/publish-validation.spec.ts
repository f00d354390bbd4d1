import fc from 'fast-check';
import type { PublishResult } from '@gater/pubsub';
import { Inbox } from '../../support/pubsub-app.js';
import { createChannels } from '../../support/channels.js';

type LoosePublish = (...args: unknown[]) => PublishResult;

const throwingProxy = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('get trap');
      },
      has() {
        throw new Error('has trap');
      },
      ownKeys() {
        throw new Error('ownKeys trap');
      },
      getPrototypeOf() {
        throw new Error('getPrototypeOf trap');
      },
      getOwnPropertyDescriptor() {
        throw new Error('getOwnPropertyDescriptor trap');
      },
    },
  );

const revokedProxy = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

const withThrowingGetter = (key: string): object =>
  Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error(`${key} getter`);
    },
  });

describe('Channel.publish refuses bad input without throwing', () => {
  const setup = () => {
    const set = createChannels();
    const channel = set.channel('events');
    const inbox = new Inbox();
    channel.subscribe('*', inbox.handler);
    return { set, channel, inbox, publish: channel.publish.bind(channel) as LoosePublish };
  };

  it.each<[string, unknown]>([
    ['empty', ''],
    ['empty segment', 'a::b'],
    ['leading separator', ':a'],
    ['trailing separator', 'a:'],
    ['wildcard', 'a:*'],
    ['embedded wildcard', 'a:b*'],
    ['space', 'a b'],
    ['tab', 'a\tb'],
    ['newline', 'a:b\n'],
    ['control character', 'a\u0000b'],
    ['1025 characters', 'x'.repeat(1025)],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { topic: 'a' }],
    ['a String object', new String('a')],
    ['an array', ['a']],
    ['a symbol', Symbol('a')],
  ])('topic %s -> invalid_topic', async (_label, topic) => {
    const { channel, inbox, publish, set } = setup();
    const result = publish(topic, 'some_type', { n: 1 });
    expect(result).toEqual({ ok: false, reason: 'invalid_topic', error: expect.any(String) });
    expect(channel.stats()).toMatchObject({ published: 0, failedPublications: 1 });
    expect(await set.drain(1_000)).toBe(true);
    expect(inbox.messages).toHaveLength(0);
  });

  it('accepts a topic of exactly 1024 characters', () => {
    const { publish } = setup();
    expect(publish('x'.repeat(1024), 't')).toEqual({ ok: true, id: expect.any(String) });
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['257 characters', 't'.repeat(257)],
  ])('type %s -> invalid_type', (_label, type) => {
    const { channel, publish } = setup();
    expect(publish('a:b', type)).toEqual({ ok: false, reason: 'invalid_type', error: expect.any(String) });
    expect(publish('a:b', { type })).toEqual({ ok: false, reason: 'invalid_type', error: expect.any(String) });
    expect(channel.stats()).toMatchObject({ published: 0, failedPublications: 2 });
  });

  // API.md: publish(topic, x) where x is neither a type string nor a { type, payload } object is 'invalid_type'
  // (these five were 'invalid_message' before).
  it.each<[string, unknown[]]>([
    ['a number as type', ['a:b', 42]],
    ['null as type', ['a:b', null]],
    ['undefined as type', ['a:b', undefined]],
    ['an array as message', ['a:b', ['t']]],
    ['no arguments', []],
  ])('%s -> invalid_type', async (_label, args) => {
    const { channel, inbox, publish, set } = setup();
    const result = publish(...args);
    expect(result).toEqual({ ok: false, reason: 'invalid_type', error: expect.any(String) });
    expect(channel.stats()).toMatchObject({ published: 0, failedPublications: 1 });
    expect(await set.drain(1_000)).toBe(true);
    expect(inbox.messages).toHaveLength(0);
  });

  it.each<[string, unknown[]]>([
    ['a message without type', ['a:b', { payload: 1 }]],
    ['a message with a numeric type', ['a:b', { type: 1, payload: 1 }]],
    ['a message whose getters throw', ['a:b', withThrowingGetter('type')]],
    [
      'a message whose payload getter throws',
      [
        'a:b',
        Object.defineProperty({ type: 't' }, 'payload', {
          get: () => {
            throw new Error('payload getter');
          },
        }),
      ],
    ],
    ['a Proxy message with throwing traps', ['a:b', throwingProxy()]],
    ['a revoked Proxy as message', ['a:b', revokedProxy()]],
    ['null options', ['a:b', 't', 1, null]],
    ['numeric options', ['a:b', 't', 1, 5]],
    ['string options on the message form', ['a:b', { type: 't' }, 'local']],
  ])('%s -> invalid_message', async (_label, args) => {
    const { channel, inbox, publish, set } = setup();
    const result = publish(...args);
    expect(result).toEqual({ ok: false, reason: 'invalid_message', error: expect.any(String) });
    expect(channel.stats()).toMatchObject({ published: 0, failedPublications: 1 });
    expect(await set.drain(1_000)).toBe(true);
    expect(inbox.messages).toHaveLength(0);
  });

  it('options with a throwing getter refuse the publication without delivering it', async () => {
    const { channel, inbox, publish, set } = setup();
    expect(publish('a:b', 't', 1, withThrowingGetter('local'))).toEqual({
      ok: false,
      reason: 'invalid_message',
      error: expect.any(String),
    });
    expect(publish('a:b', 't', 1, throwingProxy())).toEqual({ ok: false, reason: 'invalid_message', error: expect.any(String) });
    expect(await set.drain(1_000)).toBe(true);
    expect(inbox.messages).toHaveLength(0);
    expect(channel.stats()).toMatchObject({ published: 0, failedPublications: 2 });
  });

  it('never throws, whatever it is given, and counts every refusal (property)', () => {
    const { channel, publish } = setup();
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true }), { maxLength: 5 }),
        (args) => {
          let result: PublishResult | undefined;
          expect(() => (result = publish(...args))).not.toThrow();
          expect(result).toBeDefined();
          if (result!.ok) {
            accepted++;
            expect(typeof result!.id).toBe('string');
          } else {
            refused++;
            expect(['invalid_topic', 'invalid_type', 'invalid_message']).toContain(result!.reason);
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(channel.stats()).toMatchObject({ failedPublications: refused, published: accepted });
  });

  it('never throws for a valid topic and any type, payload and options (property)', () => {
    const { publish } = setup();
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (type, payload, options) => {
        const result = publish('a:b', type, payload, options);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(['invalid_type', 'invalid_message']).toContain(result.reason);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws for hostile objects in any position', () => {
    const { publish } = setup();
    const hostile = [throwingProxy(), revokedProxy(), withThrowingGetter('type'), withThrowingGetter('local'), Object.create(null)];
    for (const value of hostile) {
      for (let position = 0; position < 4; position++) {
        const args: unknown[] = ['a:b', 't', { ok: 1 }, { local: true }];
        args[position] = value;
        let result: PublishResult | undefined;
        expect(() => (result = publish(...args))).not.toThrow();
        expect(typeof result!.ok).toBe('boolean');
      }
    }
  });
});

describe('Channel.publish forms and options', () => {
  it('accepts the message overload and delivers an omitted payload as null', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    set.channel('health').subscribe('node:*', inbox.handler);
    const a = set.channel('health').publish('node:n1', { type: 'node_health_updated', payload: { status: 'healthy' } });
    const b = set.channel('health').publish('node:n2', { type: 'node_health_updated' });
    const c = set.channel('health').publish('node:n3', 'node_health_updated');
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, true]);
    await inbox.until(3);
    expect(inbox.messages.map((m) => [m.topic, m.type, m.payload])).toEqual([
      ['node:n1', 'node_health_updated', { status: 'healthy' }],
      ['node:n2', 'node_health_updated', null],
      ['node:n3', 'node_health_updated', null],
    ]);
  });

  it('accepts local: true on both forms', async () => {
    const outbound: string[] = [];
    const set = createChannels({ wiring: { outbound: (message) => void outbound.push(message.topic) } });
    const inbox = new Inbox();
    set.channel('events').subscribe('*', inbox.handler);
    expect(set.channel('events').publish('local:1', 't', 1, { local: true }).ok).toBe(true);
    expect(set.channel('events').publish('local:2', { type: 't', payload: 2 }, { local: true }).ok).toBe(true);
    expect(set.channel('events').publish('remote:3', 't', 3).ok).toBe(true);
    expect(set.channel('events').publish('remote:4', 't', 4, {}).ok).toBe(true);
    await inbox.until(4);
    expect(inbox.messages.map((m) => m.payload)).toEqual([1, 2, 3, 4]);
    expect(outbound).toEqual(['remote:3', 'remote:4']);
  });

  it('gives every message a unique id, a timestamp and the node name', async () => {
    const set = createChannels({ nodeName: 'node-a' });
    const inbox = new Inbox();
    set.channel('events').subscribe('*', inbox.handler);
    const before = Date.now();
    const ids = Array.from({ length: 100 }, () => {
      const result = set.channel('events').publish('e', 't');
      return result.ok ? result.id : '';
    });
    await inbox.until(100);
    expect(new Set(ids).size).toBe(100);
    expect(inbox.messages.map((m) => m.id)).toEqual(ids);
    for (const m of inbox.messages) {
      expect(m.node).toBe('node-a');
      expect(m.timestamp).toBeGreaterThanOrEqual(before);
      expect(m.timestamp).toBeLessThanOrEqual(Date.now());
    }
  });

  it('refuses publication with the validation hook error as invalid_message', () => {
    const set = createChannels({ wiring: { validate: (_channel, type) => (type === 'bad' ? 'payload is bad' : undefined) } });
    expect(set.channel('events').publish('a', 'bad', {})).toEqual({ ok: false, reason: 'invalid_message', error: 'payload is bad' });
    expect(set.channel('events').publish('a', 'good', {}).ok).toBe(true);
    expect(set.channel('events').stats()).toMatchObject({ published: 1, failedPublications: 1 });
  });

  it('runs complete and validate only for the types checkedTypes gives for the channel, asking it once per channel', () => {
    const asked: string[] = [];
    const seen: string[] = [];
    const set = createChannels({
      wiring: {
        checkedTypes: (channel) => {
          asked.push(channel);
          return new Set(channel === 'metrics' ? ['checked'] : []);
        },
        complete: (channel, type, payload) => (seen.push(`complete ${channel} ${type}`), payload),
        validate: (channel, type) => (seen.push(`validate ${channel} ${type}`), type === 'checked' ? 'refused' : undefined),
      },
    });
    expect(set.channel('events').publish('a', 'checked', {}).ok).toBe(true);
    expect(set.channel('metrics').publish('a', 'other', {}).ok).toBe(true);
    expect(set.channel('metrics').publish('a', 'checked', {})).toEqual({ ok: false, reason: 'invalid_message', error: 'refused' });
    expect(set.channel('metrics').publish('a', 'checked', {}).ok).toBe(false);
    // A checked type after another one is checked again: each publication's type decides for it.
    expect(set.channel('metrics').publish('a', 'other', {}).ok).toBe(true);
    expect(set.channel('metrics').publish('a', 'checked', {}).ok).toBe(false);
    expect(seen).toEqual([
      'complete metrics checked',
      'validate metrics checked',
      'complete metrics checked',
      'validate metrics checked',
      'complete metrics checked',
      'validate metrics checked',
    ]);
    expect(asked).toEqual(['events', 'metrics']);
  });

  it('returns closed after close, and counts it', () => {
    const set = createChannels();
    set.close();
    expect(set.channel('events').publish('a', 't')).toEqual({ ok: false, reason: 'closed', error: expect.any(String) });
    expect(set.channel('events').stats().failedPublications).toBe(1);
  });
});

describe('Channel.subscribe', () => {
  it.each(['', 'a::b', 'a*', 'a:b*:c', '**', 'a b', 'x'.repeat(1025), ':a'])(
    'throws an error naming the invalid pattern #%#',
    (pattern) => {
      const set = createChannels();
      expect(() => set.channel('metrics').subscribe(pattern, () => {})).toThrow(Error);
      let message = '';
      try {
        set.channel('metrics').subscribe(['fine:*', pattern], () => {});
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(pattern.length > 80 ? pattern.slice(0, 80) : pattern);
      expect(message).toContain('metrics');
      expect(set.channel('metrics').stats().subscriptions).toBe(0);
    },
  );

  it('throws for an empty pattern list and non-string patterns', () => {
    const set = createChannels();
    expect(() => set.channel('events').subscribe([], () => {})).toThrow(/pattern/);
    expect(() => set.channel('events').subscribe(42 as never, () => {})).toThrow(/42/);
    expect(set.channel('events').stats().subscriptions).toBe(0);
  });

  it('accepts valid patterns, wildcards included', async () => {
    const set = createChannels();
    const inbox = new Inbox();
    set.channel('events').subscribe(['*', 'a:*:c', 'subscription_health:*'], inbox.handler);
    set.channel('events').publish('subscription_health', 't');
    await inbox.until(1);
    expect(inbox.messages).toHaveLength(1);
  });
});
