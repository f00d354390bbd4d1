import { describe, expect, it } from '@jest/globals';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import { FrameCodec, frameLimit, readEntry } from '../../../libs/pubsub/src/transport/wire-frame.js';

const SECRET = 'wire-bytes-secret';
const LIMIT = frameLimit(512 * 1024, 1_048_576);

const message = (overrides: Partial<PubSubMessage> = {}): PubSubMessage => ({
  id: 'm-1',
  channel: 'events',
  topic: 'orders:created',
  type: 'order_created',
  payload: { amount: 12, note: 'café €' },
  timestamp: Date.now(),
  node: 'node-a',
  ...overrides,
});

const codec = (key: string | undefined, node = 'node-a', epoch = 'a1b2c3d4e5f6', limit = LIMIT) =>
  new FrameCodec(node, epoch, new PubSubSecurity({ secretKeyBase: key }), limit);

const entries = (sender: FrameCodec, count: number, payload?: unknown) =>
  Array.from({ length: count }, (_, i) =>
    sender.encodeEntry(message({ id: `m-${i}`, ...(payload === undefined ? {} : { payload }) }), i + 1)!,
  );

describe('wire frames as the bytes Redis carries', () => {
  it('decodes a frame from its UTF-8 bytes exactly as from its text, signature included', () => {
    const bytes = codec(SECRET).encodeBytes('d', entries(codec(SECRET), 3));
    const text = bytes.toString('utf8');
    const receiver = codec(SECRET, 'node-b', 'b1b2c3d4e5f6');
    const fromBytes = receiver.decode(bytes);
    const fromText = receiver.decode(text);
    expect(fromBytes.ok).toBe(true);
    expect(fromBytes).toEqual(fromText);
    if (!fromBytes.ok) return;
    expect(fromBytes.frame.entries.map((raw) => readEntry(raw, 'node-a')?.message.payload)).toEqual([
      { amount: 12, note: 'café €' },
      { amount: 12, note: 'café €' },
      { amount: 12, note: 'café €' },
    ]);
  });

  it('signs the bytes with the same HMAC as the text (peers on the text encoding verify it)', () => {
    const first = codec(SECRET);
    const second = codec(SECRET);
    const text = first.encode('h', [], new Map([['events', 3]]));
    const bytes = second.encodeBytes('h', [], new Map([['events', 3]]));
    // Same node, epoch and frame number; only the timestamp may differ between the two calls.
    const signature = (frame: string) => frame.slice(frame.lastIndexOf('\n') + 1);
    const signedPart = (frame: string) => frame.slice(0, frame.lastIndexOf('\n'));
    expect(new PubSubSecurity({ secretKeyBase: SECRET }).verifyText(signedPart(text), signature(text))).toBe(true);
    expect(
      new PubSubSecurity({ secretKeyBase: SECRET }).verifyText(bytes.subarray(0, bytes.lastIndexOf(0x0a)), signature(bytes.toString())),
    ).toBe(true);
  });

  it('refuses bytes altered anywhere, naming only what the frame claims', () => {
    const bytes = codec(SECRET).encodeBytes('d', entries(codec(SECRET), 2));
    const receiver = codec(SECRET, 'node-b', 'b1b2c3d4e5f6');
    for (const at of [12, bytes.indexOf('"events"') + 2, bytes.length - 70, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[at] = tampered[at] === 0x61 ? 0x62 : 0x61;
      expect(receiver.decode(tampered)).toMatchObject({ ok: false });
    }
    const forged = Buffer.from(bytes);
    forged[forged.indexOf('"amount":12') + 10] = 0x33; // 12 -> 13, the signature kept
    expect(receiver.decode(forged)).toEqual({ ok: false, error: 'invalid_signature', claimedNode: 'node-a', claimedChannel: 'events' });
  });

  it('measures bytes, not characters: a frame over the limit only in UTF-8 is too large', () => {
    const sender = codec(SECRET);
    const wide = sender.encodeBytes('d', entries(sender, 1, '€'.repeat(2_000)));
    const receiver = codec(SECRET, 'node-b', 'b1b2c3d4e5f6', wide.length - 1);
    expect(receiver.decode(wide)).toEqual({ ok: false, error: 'too_large', claimedNode: 'node-a', claimedChannel: 'events' });
    expect(codec(SECRET, 'node-b', 'b1b2c3d4e5f6', wide.length).decode(wide).ok).toBe(true);
  });

  it('refuses bytes that are no frame as it refuses such text', () => {
    const receiver = codec(SECRET, 'node-b', 'b1b2c3d4e5f6');
    const unsigned = JSON.stringify(message());
    expect(receiver.decode(Buffer.from(unsigned))).toEqual(receiver.decode(unsigned));
    expect(receiver.decode(Buffer.from(unsigned))).toMatchObject({
      ok: false,
      error: 'unsecured_message_rejected',
      claimedChannel: 'events',
    });
    expect(receiver.decode(Buffer.from([0xff, 0xfe, 0x00, 0x0a]))).toEqual({ ok: false, error: 'invalid_format' });
    expect(receiver.decode(Buffer.alloc(0))).toEqual({ ok: false, error: 'invalid_format' });
    expect(receiver.decode(Buffer.from('pubsub/2 '))).toEqual({ ok: false, error: 'invalid_format' });
  });

  it('tells its own echo from its first bytes', () => {
    const own = codec(SECRET);
    expect(own.isOwnEcho(own.encodeBytes('h'))).toBe(true);
    expect(own.isOwnEcho(codec(SECRET, 'node-a', 'ffffffffffff').encodeBytes('h'))).toBe(false);
    expect(own.isOwnEcho(Buffer.from('pubsub/2'))).toBe(false);
  });

  it('unsigned clusters frame bytes too', () => {
    const bytes = codec(undefined).encodeBytes('d', entries(codec(undefined), 1));
    expect(bytes.toString().endsWith('\n-')).toBe(true);
    expect(codec(undefined, 'node-b', 'b1b2c3d4e5f6').decode(bytes)).toMatchObject({ ok: true, frame: { signed: false } });
    expect(codec(SECRET, 'node-b', 'b1b2c3d4e5f6').decode(bytes)).toMatchObject({ ok: false, error: 'unsecured_message_rejected' });
  });

  it('still checks every topic of a frame when it skips re-checking one an earlier entry had', () => {
    const entry = (topic: unknown) => [2, 'events', 'm-2', topic, 'order_created', Date.now(), null];
    expect(readEntry(entry('orders:created'), 'node-a', 'orders:created')?.message.topic).toBe('orders:created');
    for (const bad of ['orders::created', 'orders:*', '', undefined, 7]) {
      expect(readEntry(entry(bad), 'node-a', 'orders:created')).toBeUndefined();
      expect(readEntry(entry(bad), 'node-a', undefined)).toBeUndefined();
    }
  });
});
