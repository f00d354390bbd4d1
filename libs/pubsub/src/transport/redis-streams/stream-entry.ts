import type { PubSubMessage } from '../../channels/channel.types.js';
import type { PubSubSecurity } from '../../security/pubsub-security.js';
import { encodeMessage, readEntry, type FrameRejection } from '../wire-frame.js';

/**
 * One stream entry is one message, as two fields: `m`, the text `pubsub-stream/1\n<node JSON>\n<wire entry>`
 * (the bus's entry encoding without a sequence number), and `s`, the hex HMAC of that text (or `-` in an
 * unsigned cluster). Like bus frames, an entry is authenticated over its raw text and size-limited before it
 * is parsed. No age window: a retained entry is legitimately old, and a replayed copy is a duplicate that
 * at-least-once delivery (idempotency by message.id) already tolerates.
 */
export const STREAM_MAGIC = 'pubsub-stream/1';
const UNSIGNED = '-';

/** `tail`: the message's wire encoding when the caller has it already (the bus serialised it for the same publish). */
export function encodeStreamEntry(
  message: PubSubMessage,
  security: PubSubSecurity,
  tail?: string,
): [text: string, signature: string] | undefined {
  const encoded = tail ?? encodeMessage(message)?.tail;
  return encoded === undefined ? undefined : streamEntryOf(message, encoded, security);
}

/** The entry of a message whose wire encoding (`tail`) is known: always one. */
export function streamEntryOf(message: PubSubMessage, tail: string, security: PubSubSecurity): [text: string, signature: string] {
  const text = `${STREAM_MAGIC}\n${JSON.stringify(message.node)}\n${tail}`;
  return [text, security.hasSecret() ? security.signText(text) : UNSIGNED];
}

export type StreamEntryResult = { ok: true; message: PubSubMessage } | { ok: false; error: FrameRejection };

/** Never throws. `fields` is the flat field/value list Redis returns for an entry. */
export function decodeStreamEntry(fields: unknown, security: PubSubSecurity, maxBytes: number): StreamEntryResult {
  if (!Array.isArray(fields)) return { ok: false, error: 'invalid_format' };
  let text: unknown;
  let signature: unknown;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'm') text = fields[i + 1];
    else if (fields[i] === 's') signature = fields[i + 1];
  }
  if (typeof text !== 'string' || typeof signature !== 'string') return { ok: false, error: 'invalid_format' };
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, error: 'too_large' };
  const signed = signature !== UNSIGNED;
  if (!signed && security.hasSecret()) return { ok: false, error: 'unsecured_message_rejected' };
  if (signed && !security.hasSecret()) return { ok: false, error: 'no_secret_configured' };
  if (signed && !security.verifyText(text, signature)) return { ok: false, error: 'invalid_signature' };
  const first = text.indexOf('\n');
  const second = first < 0 ? -1 : text.indexOf('\n', first + 1);
  if (text.slice(0, first) !== STREAM_MAGIC || second < 0) return { ok: false, error: 'invalid_format' };
  try {
    const node: unknown = JSON.parse(text.slice(first + 1, second));
    const tail: unknown = JSON.parse(text.slice(second + 1));
    if (typeof node !== 'string' || node === '' || !Array.isArray(tail)) return { ok: false, error: 'invalid_format' };
    const read = readEntry([1, ...(tail as unknown[])], node);
    return read === undefined ? { ok: false, error: 'invalid_format' } : { ok: true, message: read.message };
  } catch {
    return { ok: false, error: 'invalid_format' };
  }
}
