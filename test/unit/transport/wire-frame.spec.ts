import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import { encodeMessage, FrameCodec, frameLimit, readEntry, WIRE_MAGIC } from '../../../libs/pubsub/src/transport/wire-frame.js';

const SECRET = 'wire-frame-secret';
const LIMIT = frameLimit(512 * 1024, 1_048_576);

const message = (overrides: Partial<PubSubMessage> = {}): PubSubMessage => ({
  id: 'm-1',
  channel: 'events',
  topic: 'orders:created',
  type: 'order_created',
  payload: { amount: 12 },
  timestamp: Date.now(),
  node: 'node-a',
  ...overrides,
});

const codec = (key: string | undefined, node = 'node-a', epoch = 'a1b2c3d4e5f6') =>
  new FrameCodec(node, epoch, new PubSubSecurity({ secretKeyBase: key }), LIMIT);

function dataFrame(key: string | undefined, payloads: unknown[], channel: PubSubMessage['channel'] = 'events'): string {
  const sender = codec(key);
  return sender.encode(
    'd',
    payloads.map((payload, i) => sender.encodeEntry(message({ id: `m-${i}`, channel, payload }), i + 1)!),
  );
}

describe('wire frames (version 2)', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('round-trips entries, header and announced sequence numbers', () => {
    const receiver = codec(SECRET, 'node-b', 'ffffffffffff');
    const decoded = receiver.decode(dataFrame(SECRET, [{ a: 1 }, 'two', null]));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.frame).toMatchObject({ node: 'node-a', epoch: 'a1b2c3d4e5f6', number: 1, kind: 'd', signed: true });
    expect(decoded.frame.entries.map((raw) => readEntry(raw, 'node-a'))).toEqual([
      { seq: 1, message: message({ id: 'm-0', payload: { a: 1 }, timestamp: expect.any(Number) as unknown as number }) },
      { seq: 2, message: message({ id: 'm-1', payload: 'two', timestamp: expect.any(Number) as unknown as number }) },
      { seq: 3, message: message({ id: 'm-2', payload: null, timestamp: expect.any(Number) as unknown as number }) },
    ]);
    const heartbeat = codec(SECRET).encode('h', [], new Map([['metrics', 7]]));
    const opened = receiver.decode(heartbeat);
    expect(opened.ok && opened.frame.sent).toEqual(new Map([['metrics', 7]]));
  });

  it('carries message headers when a message has them, and refuses entries whose headers are not strings', () => {
    const sender = codec(SECRET);
    const withHeaders = message({ headers: { traceparent: '00-abc-def-01' } });
    const entry = JSON.parse(sender.encodeEntry(withHeaders, 4)!) as unknown[];
    expect(readEntry(entry, 'node-a')).toEqual({ seq: 4, message: withHeaders });
    expect(readEntry([...entry.slice(0, 7), { n: 1 }], 'node-a')).toBeUndefined();
    expect(readEntry(JSON.parse(sender.encodeEntry(message(), 1)!), 'node-a')?.message).not.toHaveProperty('headers');
  });

  it('numbers frames per epoch and starts with the epoch, so a node recognises its own echo unread', () => {
    const sender = codec(SECRET);
    const first = sender.encode('h');
    const second = sender.encode('h');
    expect(first.startsWith(`${WIRE_MAGIC} a1b2c3d4e5f6\n`)).toBe(true);
    expect(sender.isOwnEcho(second)).toBe(true);
    expect(codec(SECRET, 'node-a', 'bbbbbbbbbbbb').isOwnEcho(second)).toBe(false);
    const receiver = codec(SECRET, 'node-b', 'ffffffffffff');
    expect(
      [first, second].map((text) => {
        const d = receiver.decode(text);
        return d.ok && d.frame.number;
      }),
    ).toEqual([1, 2]);
  });

  it('authenticates the raw text before parsing any of it: a forged or tampered frame is never JSON.parsed', () => {
    const receiver = codec(SECRET, 'node-b', 'ffffffffffff');
    const genuine = dataFrame(SECRET, [{ amount: 1234 }]);
    const forged = dataFrame('not-the-secret', [{ amount: 1 }]);
    const tampered = genuine.replace('1234', '9999');
    const parse = jest.spyOn(JSON, 'parse');
    expect(receiver.decode(forged)).toEqual({ ok: false, error: 'invalid_signature', claimedNode: 'node-a', claimedChannel: 'events' });
    expect(receiver.decode(tampered)).toMatchObject({ ok: false, error: 'invalid_signature' });
    expect(parse).not.toHaveBeenCalled();
    expect(receiver.decode(genuine).ok).toBe(true);
    expect(parse).toHaveBeenCalled();
  });

  it('refuses a frame larger than the limit without parsing it, in well under the time a parse takes', () => {
    const receiver = codec(SECRET, 'node-b', 'ffffffffffff');
    const sender = codec('not-the-secret');
    const huge = sender.encode(
      'd',
      Array.from({ length: 100_000 }, (_, i) => sender.encodeEntry(message({ id: `f-${i}`, payload: 'x'.repeat(80) }), i + 1)!),
    );
    expect(huge.length).toBeGreaterThan(10_000_000);
    const parse = jest.spyOn(JSON, 'parse');
    const started = performance.now();
    const result = receiver.decode(huge);
    const elapsed = performance.now() - started;
    expect(result).toEqual({ ok: false, error: 'too_large', claimedNode: 'node-a', claimedChannel: 'events' });
    expect(parse).not.toHaveBeenCalled();
    expect(elapsed).toBeLessThan(100); // generous: the JSON.parse it replaces took over a second
  });

  it('measures the limit in UTF-8 bytes', () => {
    const receiver = new FrameCodec('node-b', 'ffffffffffff', new PubSubSecurity({}), 3_000);
    const sender = new FrameCodec('node-a', 'a1b2c3d4e5f6', new PubSubSecurity({}));
    const ascii = sender.encode('d', [sender.encodeEntry(message({ payload: 'a'.repeat(2_000) }), 1)!]);
    const wide = sender.encode('d', [sender.encodeEntry(message({ payload: '€'.repeat(2_000) }), 1)!]);
    expect(wide.length).toBeLessThan(3_000);
    expect(receiver.decode(ascii).ok).toBe(true);
    expect(receiver.decode(wide)).toMatchObject({ ok: false, error: 'too_large' });
  });

  it('tells unsigned, unexpected-signature, expired and malformed frames apart', () => {
    const secured = codec(SECRET, 'node-b', 'ffffffffffff');
    const open = codec(undefined, 'node-b', 'ffffffffffff');
    expect(secured.decode(dataFrame(undefined, [1]))).toMatchObject({
      ok: false,
      error: 'unsecured_message_rejected',
      claimedChannel: 'events',
    });
    expect(open.decode(dataFrame(SECRET, [1]))).toMatchObject({ ok: false, error: 'no_secret_configured' });
    expect(open.decode(dataFrame(undefined, [1]))).toMatchObject({ ok: true, frame: { signed: false } });

    const stale = new FrameCodec('node-a', 'a1b2c3d4e5f6', new PubSubSecurity({ secretKeyBase: SECRET }));
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now - 400_000);
    const old = stale.encode('h');
    jest.restoreAllMocks();
    expect(secured.decode(old)).toMatchObject({ ok: false, error: 'expired', claimedNode: 'node-a' });

    for (const garbage of ['', 'not json', `${WIRE_MAGIC} e\n{}`, `${WIRE_MAGIC} UPPER\n{"n":"x"}\n[]\n-`, '[]', '{"hello":1}']) {
      expect(open.decode(garbage)).toMatchObject({ ok: false, error: 'invalid_format' });
    }
    const plain = JSON.stringify(message());
    expect(secured.decode(plain)).toEqual({
      ok: false,
      error: 'unsecured_message_rejected',
      claimedNode: 'node-a',
      claimedChannel: 'events',
    });
    expect(open.decode(plain)).toMatchObject({ ok: false, error: 'invalid_format', claimedChannel: 'events' });
  });

  it('a frame whose entry count does not match its header, or whose header is not an object, is invalid_format', () => {
    const open = codec(undefined, 'node-b', 'ffffffffffff');
    const frame = dataFrame(undefined, [1, 2]);
    expect(open.decode(frame.replace('"c":2', '"c":3'))).toMatchObject({ ok: false, error: 'invalid_format' });
    expect(open.decode(frame.replace(/\n\{.*\}\n/, '\n[1]\n'))).toMatchObject({ ok: false, error: 'invalid_format' });
  });

  it('encodes a message once, measuring its bytes; refuses to encode what JSON cannot carry', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(encodeMessage(message({ payload: cyclic }))).toBeUndefined();
    expect(encodeMessage(message({ payload: { n: 1n } }))).toBeUndefined();
    expect(
      encodeMessage(
        message({
          payload: {
            toJSON: () => {
              throw new Error('no');
            },
          },
        }),
      ),
    ).toBeUndefined();
    const encoded = encodeMessage(message({ payload: '€' }))!;
    expect(encoded.bytes).toBe(Buffer.byteLength(encoded.tail));
    expect(encoded.bytes).toBe(encoded.tail.length + 2);
  });
});
