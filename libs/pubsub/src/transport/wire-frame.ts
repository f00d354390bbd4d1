import { randomBytes } from 'node:crypto';
import { isChannelName, type ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import { copyHeaders } from '../channels/message-headers.js';
import { isValidTopic } from '../routing/topic-grammar.js';
import { readPubSubMessage } from '../security/message-shape.js';
import { readHeader, type FrameKind } from './frame-header.js';
import type { PubSubSecurity, SecureMessageError } from '../security/pubsub-security.js';

/**
 * The wire format, version 2. One bus message is one frame of four lines:
 *
 *     pubsub/2 <epoch>
 *     {"n":node,"es":epochStartedAt,"f":frameNumber,"t":timestamp,"k":kind,"c":entryCount,"s":{...}?}
 *     [entry,entry,...]
 *     <hex HMAC-SHA256 of the three lines above | ->
 *
 * The signature covers the raw text, so a receiver authenticates a frame before it parses a byte of it, and
 * refuses one larger than its limit before even that. Kinds: d(ata), h(eartbeat), j(oin), b(ye); `s`, on
 * h/j/b frames, is the highest sequence number per channel the sender has published (so receivers can tell
 * what they missed). An entry is `[seq, channel, id, topic, type, timestamp, payload, headers?]`, serialised once at
 * publish time (its sequence number is put in front when it is framed). JSON never contains a raw newline,
 * so the lines are found by position. The epoch is on the first line so a node tells its own echo from the
 * text's first bytes.
 */
export const WIRE_MAGIC = 'pubsub/2';
const UNSIGNED = '-';

export type { FrameKind };

/** Why a frame was refused: the security errors, plus the wire's own limits. */
export type FrameRejection = SecureMessageError | 'too_large' | 'implausible_sequence';

/** Room for the first line, the header and the signature, beside the entries a frame may carry. */
export const FRAME_OVERHEAD_BYTES = 16 * 1024;
const MAX_HEADER_CHARS = 8 * 1024;
/** An entry's size beyond its encoded message: the sequence number and its comma. */
export const SEQUENCE_BYTES = 17;

/** The largest frame a receiver accepts: a full batch, or one message of the largest allowed size. */
export function frameLimit(maxFrameBytes: number, maxMessageBytes: number): number {
  return Math.max(maxFrameBytes, maxMessageBytes + SEQUENCE_BYTES) + FRAME_OVERHEAD_BYTES;
}
const EPOCH_PATTERN = /^[0-9a-z]{1,32}$/;
const MAGIC_AND_SPACE = `${WIRE_MAGIC} `;
const MAGIC_BYTES = Buffer.from(MAGIC_AND_SPACE, 'latin1');
const NEWLINE = 0x0a;
const CLOSING_BRACKET = 0x5d;
const COMMA = 0x2c;
const SIGNATURE_CHARS = 64;
/** Where the first two line breaks are looked for, in bytes: the header's character limit at up to 3 bytes each. */
const HEADER_WINDOW_BYTES = 3 * (MAX_HEADER_CHARS + 64);
/** Unauthenticated text is looked at this far, and only to say what it claimed in the rejection report. */
const PEEK_CHARS = 16 * 1024;

export interface Frame {
  node: string;
  epoch: string;
  epochStartedAt: number;
  /** Frame number within the epoch: 1, 2, 3... */
  number: number;
  timestamp: number;
  kind: FrameKind;
  /** Raw entries (data frames); read each with `readEntry`. */
  entries: unknown[];
  /** On h/j/b frames: per channel, the highest sequence number the sender has published. */
  sent?: Map<ChannelName, number>;
  /** Authenticated with a secret (false: an unsigned cluster, which accepts whatever arrives). */
  signed: boolean;
}

export interface WireMessage {
  seq: number;
  message: PubSubMessage;
}

/** A refused frame, with what it claimed (unauthenticated, for the report): one channel, or none. */
export interface FrameRefusal {
  ok: false;
  error: FrameRejection;
  claimedNode?: string;
  claimedChannel?: ChannelName;
}

export type DecodeResult = { ok: true; frame: Frame } | FrameRefusal;

/** A message ready for the wire: its entry without the sequence number, and that text's size in bytes. */
export interface EncodedMessage {
  message: PubSubMessage;
  tail: string;
  bytes: number;
}

export function newEpoch(): string {
  return randomBytes(6).toString('hex');
}

/** The message's wire entry without its sequence number, or undefined when the payload cannot be serialised. */
export function encodeMessage(message: PubSubMessage): EncodedMessage | undefined {
  let tail: string;
  try {
    const { channel, id, topic, type, timestamp, payload, headers } = message;
    tail = JSON.stringify(
      headers === undefined ? [channel, id, topic, type, timestamp, payload] : [channel, id, topic, type, timestamp, payload, headers],
    );
  } catch {
    return undefined; // a cycle, a BigInt, a throwing toJSON or getter, nesting deeper than the stack
  }
  return { message, tail, bytes: Buffer.byteLength(tail, 'utf8') };
}

/** The entry text of an encoded message with its sequence number. */
export function entryText(seq: number, tail: string): string {
  return `[${seq},${tail.slice(1)}`;
}

export class FrameCodec {
  private frameNumber = 0;
  private readonly ownPrefix: string;
  private readonly ownPrefixBytes: Buffer;

  constructor(
    readonly node: string,
    readonly epoch: string,
    private readonly security: PubSubSecurity,
    /** Longer frames are refused unread (bytes, UTF-8). */
    private readonly maxFrameBytes = Infinity,
    readonly epochStartedAt = Date.now(),
  ) {
    this.ownPrefix = `${WIRE_MAGIC} ${epoch}\n`;
    this.ownPrefixBytes = Buffer.from(this.ownPrefix, 'latin1');
  }

  /** The JSON text of one entry, or undefined when the payload cannot be serialised. */
  encodeEntry(message: PubSubMessage, seq: number): string | undefined {
    const encoded = encodeMessage(message);
    return encoded === undefined ? undefined : entryText(seq, encoded.tail);
  }

  /** The wire text of a frame carrying the given entry texts. */
  encode(kind: FrameKind, entries: readonly string[] = [], sent?: ReadonlyMap<ChannelName, number>): string {
    return this.encodeBytes(kind, entries, sent).toString('utf8');
  }

  /**
   * The same frame as UTF-8 bytes, what goes on the bus: the text is encoded once, and the signature is
   * computed over those bytes (the same HMAC as over the text) and appended to them.
   */
  encodeBytes(kind: FrameKind, entries: readonly string[] = [], sent?: ReadonlyMap<ChannelName, number>): Buffer {
    return this.frameBytes(kind, entries, undefined, sent);
  }

  /**
   * A data frame whose entries' UTF-8 size is known (`entryBytes`, their sum; the send queue measured each
   * message at publish): the frame's text is then neither measured again nor copied into one string first.
   */
  encodeData(entries: readonly string[], entryBytes: number): Buffer {
    return this.frameBytes('d', entries, entryBytes);
  }

  private frameBytes(kind: FrameKind, entries: readonly string[], entryBytes?: number, sent?: ReadonlyMap<ChannelName, number>): Buffer {
    const header: Record<string, unknown> = {
      n: this.node,
      es: this.epochStartedAt,
      f: ++this.frameNumber,
      t: Date.now(),
      k: kind,
      c: entries.length,
    };
    if (sent !== undefined) header.s = Object.fromEntries(sent);
    const head = `${this.ownPrefix}${JSON.stringify(header)}\n[`;
    if (!this.security.hasSecret()) return Buffer.from(`${head}${entries.join(',')}]\n${UNSIGNED}`, 'utf8');
    const headBytes = Buffer.byteLength(head, 'utf8');
    const bodyBytes = entryBytes === undefined ? utf8Size(entries) : entryBytes + Math.max(0, entries.length - 1);
    const length = headBytes + bodyBytes + 1;
    // Room for one more character than counted: a miscount shows as a different number of bytes written.
    const frame = Buffer.allocUnsafe(length + 1 + SIGNATURE_CHARS + 4);
    frame.write(head, 0, headBytes, 'utf8');
    if (writeEntries(frame, headBytes, entries, bodyBytes) !== bodyBytes) {
      this.frameNumber--;
      return this.frameBytes(kind, entries, undefined, sent);
    }
    frame[length - 1] = CLOSING_BRACKET;
    frame[length] = NEWLINE;
    frame.write(this.security.signText(frame.subarray(0, length)), length + 1, SIGNATURE_CHARS, 'latin1');
    return frame.subarray(0, length + 1 + SIGNATURE_CHARS);
  }

  isOwnEcho(frame: string | Buffer): boolean {
    if (typeof frame === 'string') return frame.startsWith(this.ownPrefix);
    const length = this.ownPrefixBytes.length;
    return frame.length >= length && frame.compare(this.ownPrefixBytes, 0, length, 0, length) === 0;
  }

  /**
   * Size, then signature over the raw bytes, then age, then shape: nothing is parsed before it is known to be
   * authentic (or, in an unsigned cluster, before it is known to fit). Never throws. A frame arrives as the
   * bytes the bus carried (Redis) or as text (the in-process hub, tests): text is sized before it is encoded.
   */
  decode(frame: string | Buffer): DecodeResult {
    if (typeof frame !== 'string') return this.decodeBytes(frame);
    if (!frame.startsWith(MAGIC_AND_SPACE))
      return tooLarge(frame, this.maxFrameBytes) ? { ok: false, error: 'too_large' } : this.notAFrame(frame);
    if (tooLarge(frame, this.maxFrameBytes)) return this.decodeBytes(Buffer.from(frame.slice(0, MAX_HEADER_CHARS + 128), 'utf8'), true);
    return this.decodeBytes(Buffer.from(frame, 'utf8'));
  }

  /** `truncated`: the start of a text already known to be too large, read only for what it claims. */
  private decodeBytes(bytes: Buffer, truncated = false): DecodeResult {
    const isFrame = bytes.length >= MAGIC_BYTES.length && bytes.compare(MAGIC_BYTES, 0, MAGIC_BYTES.length, 0, MAGIC_BYTES.length) === 0;
    if (!truncated && !isFrame) {
      if (bytes.length > this.maxFrameBytes) return { ok: false, error: 'too_large' };
      return bytes.length > 3 * PEEK_CHARS ? { ok: false, error: 'invalid_format' } : this.notAFrame(bytes.toString('utf8'));
    }
    // Within the first line and the header, where a frame has its first two line breaks.
    const start = bytes.subarray(0, HEADER_WINDOW_BYTES);
    const firstBreak = start.indexOf(NEWLINE);
    let headerBreak = firstBreak < 0 ? -1 : start.indexOf(NEWLINE, firstBreak + 1);
    let headerText = headerBreak < 0 ? '' : bytes.toString('utf8', firstBreak + 1, headerBreak);
    if (firstBreak + 1 + headerText.length >= MAX_HEADER_CHARS + 64) [headerBreak, headerText] = [-1, ''];
    const claims = (error: FrameRejection): FrameRefusal => ({ ok: false, error, ...peekClaims(headerText, bytes, headerBreak + 1) });
    if (truncated || bytes.length > this.maxFrameBytes) return claims('too_large');
    const lastBreak = bytes.lastIndexOf(NEWLINE);
    if (headerBreak < 0 || lastBreak <= headerBreak) return { ok: false, error: 'invalid_format' };

    const signature = bytes.toString('latin1', lastBreak + 1);
    const signed = signature !== UNSIGNED;
    if (!signed && this.security.hasSecret()) return claims('unsecured_message_rejected');
    if (signed && !this.security.hasSecret()) return claims('no_secret_configured');
    if (signed && !this.security.verifyText(bytes.subarray(0, lastBreak), signature)) return claims('invalid_signature');

    const epoch = bytes.toString('latin1', MAGIC_AND_SPACE.length, firstBreak);
    if (!EPOCH_PATTERN.test(epoch)) return claims('invalid_format');
    const header = readHeader(headerText);
    if (header === undefined) return claims('invalid_format');
    if (signed && !this.security.isFresh(header.timestamp)) return claims('expired');
    let entries: unknown;
    try {
      entries = JSON.parse(bytes.toString('utf8', headerBreak + 1, lastBreak));
    } catch {
      return claims('invalid_format');
    }
    if (!Array.isArray(entries) || entries.length !== header.count) return claims('invalid_format');
    const { node, epochStartedAt, number, timestamp, kind, sent } = header;
    return { ok: true, frame: { node, epoch, epochStartedAt, number, timestamp, kind, entries, sent, signed } };
  }

  /**
   * Text that is no frame of this version: an unsigned PubSubMessage, an older wire version, garbage. It is
   * refused whatever it says; a short one is read only to tell an unsigned message (charged to the channel
   * it names) from garbage (charged to security).
   */
  private notAFrame(text: string): FrameRefusal {
    if (text.length > PEEK_CHARS) return { ok: false, error: 'invalid_format' };
    try {
      const message = readPubSubMessage(JSON.parse(text));
      if (typeof message === 'string') return { ok: false, error: 'invalid_format' };
      const error = this.security.hasSecret() ? 'unsecured_message_rejected' : 'invalid_format';
      return { ok: false, error, claimedNode: message.node.slice(0, 200), claimedChannel: message.channel };
    } catch {
      return { ok: false, error: 'invalid_format' };
    }
  }
}

/**
 * Entries joined by commas, a slice at a time: a whole frame's text joined at once (300 KB in a flood) is a
 * string in V8's large-object space, which only a full collection frees; slices of this size die young.
 */
const ENTRIES_PER_SLICE = 64;

/**
 * Writes the comma-separated entries at `offset` into a frame with room for `expected` bytes and 4 more; returns
 * the bytes written, which differ from `expected` only when it was miscounted.
 */
function writeEntries(frame: Buffer, offset: number, entries: readonly string[], expected: number): number {
  const room = expected + 4;
  let written = 0;
  for (let start = 0; start < entries.length && written < room; start += ENTRIES_PER_SLICE) {
    if (start > 0) frame[offset + written++] = COMMA;
    const slice = entries.slice(start, Math.min(entries.length, start + ENTRIES_PER_SLICE)).join(',');
    written += frame.write(slice, offset + written, room - written, 'utf8');
  }
  return written;
}

function utf8Size(entries: readonly string[]): number {
  let bytes = Math.max(0, entries.length - 1);
  for (const entry of entries) bytes += Buffer.byteLength(entry, 'utf8');
  return bytes;
}

/** Fast on the common path: a string's UTF-8 size is at most three bytes per UTF-16 unit. */
function tooLarge(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  return text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes;
}

const CLAIMED_NODE = /"n":"((?:[^"\\]|\\.){1,200})"/;
const CLAIMED_CHANNEL = /^\[\[\d{1,16},"([a-z]{1,16})"/;

/**
 * What an unauthenticated frame claims, for the rejection report, by looking at a few bytes (never parsing):
 * the node its header names, and the channel of its first entry.
 */
function peekClaims(headerText: string, bytes: Buffer, bodyStart: number): { claimedNode?: string; claimedChannel?: ChannelName } {
  if (headerText === '') return {};
  const node = CLAIMED_NODE.exec(headerText.slice(0, 1_024))?.[1];
  const channel = CLAIMED_CHANNEL.exec(bytes.toString('latin1', bodyStart, bodyStart + 64))?.[1];
  return { claimedNode: node, claimedChannel: isChannelName(channel) ? channel : undefined };
}

/**
 * Reads one entry of an authenticated data frame; undefined when it is malformed. `validTopic`: a topic an
 * earlier entry (of this frame or an earlier one) had, already checked (consecutive entries mostly share it).
 */
export function readEntry(raw: unknown, node: string, validTopic?: string): WireMessage | undefined {
  if (!Array.isArray(raw) || (raw.length !== 7 && raw.length !== 8)) return undefined;
  const [seq, channel, id, topic, type, timestamp, payload, rawHeaders] = raw as unknown[];
  if (!isChannelName(channel) || !Number.isSafeInteger(seq) || (seq as number) < 1) return undefined;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') return undefined;
  if (
    typeof timestamp !== 'number' ||
    !Number.isFinite(timestamp) ||
    ((validTopic === undefined || topic !== validTopic) && !isValidTopic(topic))
  )
    return undefined;
  const message: PubSubMessage = { id, channel, topic, type, payload, timestamp, node };
  if (raw.length === 8) {
    const headers = copyHeaders(rawHeaders);
    if (typeof headers === 'string') return undefined;
    message.headers = headers;
  }
  return { seq: seq as number, message };
}

/** The channel an authenticated entry names, for charging it when it cannot be read. */
export function entryChannel(raw: unknown): ChannelName | undefined {
  return Array.isArray(raw) && isChannelName(raw[1]) ? raw[1] : undefined;
}
