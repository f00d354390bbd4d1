import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import { encodeMessage, entryText, FrameCodec, frameLimit, readEntry } from '../../../libs/pubsub/src/transport/wire-frame.js';

const SECRET = 'wire-data-frame-secret';
const LIMIT = frameLimit(512 * 1024, 1_048_576);

const message = (i: number, payload: unknown): PubSubMessage => ({
  id: `m-${i}`,
  channel: 'events',
  topic: 'orders:created',
  type: 'order_created',
  payload,
  timestamp: 1_700_000_000_000 + i,
  node: 'node-a',
});

const codec = (key: string | undefined, node = 'node-a', epoch = 'a1b2c3d4e5f6') =>
  new FrameCodec(node, epoch, new PubSubSecurity({ secretKeyBase: key }), LIMIT, 1_700_000_000_000);

/** Entry texts as the send queue frames them, with their exact UTF-8 sizes summed as the queue sums them. */
function framedEntries(payloads: unknown[]): { texts: string[]; bytes: number } {
  const texts: string[] = [];
  let bytes = 0;
  payloads.forEach((payload, i) => {
    const encoded = encodeMessage(message(i, payload))!;
    const text = entryText(i + 1, encoded.tail);
    texts.push(text);
    bytes += encoded.bytes + text.length - encoded.tail.length;
  });
  return { texts, bytes };
}

const PAYLOADS = [{ amount: 12, note: 'café €' }, 'plain ascii', { emoji: '😀', nested: { quote: '"', backslash: '\\' } }, null];

describe('data frames built from entries of known size (the send queue measured each at publish)', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([
    ['signed', SECRET],
    ['unsigned', undefined],
  ])('are byte for byte the frame encodeBytes builds (%s)', (_label, key) => {
    jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_500);
    const { texts, bytes } = framedEntries(PAYLOADS);
    const fromKnownSizes = codec(key).encodeData(texts, bytes);
    const measured = codec(key).encodeBytes('d', texts);
    expect(fromKnownSizes.equals(measured)).toBe(true);
    expect(fromKnownSizes.length).toBe(measured.length);
  });

  it('decode to the published messages, signature verified', () => {
    const { texts, bytes } = framedEntries(PAYLOADS);
    const decoded = codec(SECRET, 'node-b', 'b1b2c3d4e5f6').decode(codec(SECRET).encodeData(texts, bytes));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.frame).toMatchObject({ kind: 'd', node: 'node-a', number: 1, signed: true });
    expect(decoded.frame.entries.map((raw) => readEntry(raw, 'node-a')?.message.payload)).toEqual(PAYLOADS);
  });

  it('are still whole and authentic when the given size is wrong (measured again instead of cut short)', () => {
    jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_500);
    const { texts, bytes } = framedEntries(PAYLOADS);
    const expected = codec(SECRET).encodeBytes('d', texts);
    for (const wrong of [0, bytes - 5, bytes - 1, bytes + 1, bytes + 3, bytes + 100]) {
      const frame = codec(SECRET).encodeData(texts, wrong);
      expect(frame.equals(expected)).toBe(true);
    }
    const sender = codec(SECRET);
    sender.encodeData(texts, bytes - 1);
    // The frame number of a re-measured frame is not skipped.
    const next = codec(SECRET, 'node-b', 'b1b2c3d4e5f6').decode(sender.encodeData(texts, bytes));
    expect(next).toMatchObject({ ok: true, frame: { number: 2 } });
  });

  it('of many entries (written into the frame a slice at a time) carry exactly the joined entries, whatever size is given', () => {
    const many = Array.from({ length: 203 }, (_, i) => PAYLOADS[i % PAYLOADS.length]);
    const { texts, bytes } = framedEntries(many);
    const body = Buffer.from(`[${texts.join(',')}]`, 'utf8');
    for (const given of [bytes, bytes - 1, bytes + 2]) {
      const frame = codec(SECRET).encodeData(texts, given);
      const bodyStart = frame.indexOf(0x0a, frame.indexOf(0x0a) + 1) + 1;
      expect(frame.subarray(bodyStart, frame.lastIndexOf(0x0a)).equals(body)).toBe(true);
      const decoded = codec(SECRET, 'node-b', 'b1b2c3d4e5f6').decode(frame);
      expect(decoded.ok).toBe(true);
      if (decoded.ok) expect(decoded.frame.entries.map((raw) => readEntry(raw, 'node-a')?.message.payload)).toEqual(many);
    }
  });

  it('carry an empty batch as an empty entry list', () => {
    const decoded = codec(SECRET, 'node-b', 'b1b2c3d4e5f6').decode(codec(SECRET).encodeData([], 0));
    expect(decoded).toMatchObject({ ok: true, frame: { kind: 'd', entries: [] } });
  });
});
