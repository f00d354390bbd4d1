import type { PubSubMessage } from '../channels/channel.types.js';
import { isChannelName } from '../channels/channel-names.js';
import { isValidTopic } from '../routing/topic-grammar.js';
import { copyHeaders } from '../channels/message-headers.js';

/** Which part of a would-be message is malformed: one of its fields, or 'message' when it is not an object. */
export type MalformedPart = keyof PubSubMessage | 'message';

/**
 * Reads a message from untrusted input into a fresh object with exactly the seven fields, plus headers when
 * it has them, or names the first malformed part. Each field is read exactly once, so a getter cannot show
 * one value to the checks and another to the copy. May throw when `raw` is hostile (a Proxy trap, a throwing getter): callers that face
 * untrusted input wrap it.
 */
export function readPubSubMessage(raw: unknown): PubSubMessage | MalformedPart {
  if (typeof raw !== 'object' || raw === null) return 'message';
  const { id, channel, topic, type, timestamp, node } = raw as Partial<Record<keyof PubSubMessage, unknown>>;
  if (typeof id !== 'string' || id.length === 0) return 'id';
  if (!isChannelName(channel)) return 'channel';
  if (!isValidTopic(topic)) return 'topic';
  if (typeof type !== 'string' || type.length === 0) return 'type';
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return 'timestamp';
  if (typeof node !== 'string') return 'node';
  // Own property only: a polluted Object.prototype must not make a payload-less object look like a message.
  if (!Object.hasOwn(raw, 'payload')) return 'payload';
  const payload = (raw as { payload: unknown }).payload;
  const message: PubSubMessage = { id, channel, topic, type, payload, timestamp, node };
  // Optional, and then signed like every other field: absent and undefined are the same (JSON drops both).
  const headers = Object.hasOwn(raw, 'headers') ? (raw as { headers: unknown }).headers : undefined;
  if (headers !== undefined) {
    const copy = copyHeaders(headers);
    if (typeof copy === 'string') return 'headers';
    message.headers = copy;
  }
  return message;
}
