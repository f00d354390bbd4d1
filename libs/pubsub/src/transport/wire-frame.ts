import { randomBytes } from 'node:crypto';
import { isChannelName, type ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import { copyHeaders } from '../channels/message-headers.js';
import { isValidTopic } from '../routing/topic-grammar.js';
import { readPubSubMessage } from '../security/message-shape.js';
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

export type FrameKind = 'd' | 'h' | 'j' | 'b';
const KINDS: ReadonlySet<string> = new Set(['d', 'h', 'j', 'b']);

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

  constructor(
    readonly node: string,
    readonly epoch: string,
    private readonly security: PubSubSecurity,
    /** Longer frames are refused unread (bytes, UTF-8). */
    private readonly maxFrameBytes = Infinity,
    readonly epochStartedAt = Date.now(),
  ) {
    this.ownPrefix = `${WIRE_MAGIC} ${epoch}\n`;
  }

  /** The JSON text of one entry, or undefined when the payload cannot be serialised. */
  encodeEntry(message: PubSubMessage, seq: number): string | undefined {
    const encoded = encodeMessage(message);
    return encoded === undefined ? undefined : entryText(seq, encoded.tail);
  }

  /** The wire text of a frame carrying the given entry texts. */
  encode(kind: FrameKind, entries: readonly string[] = [], sent?: ReadonlyMap<ChannelName, number>): string {
    const header: Record<string, unknown> = {
      n: this.node,
      es: this.epochStartedAt,
      f: ++this.frameNumber,
      t: Date.now(),
      k: kind,
      c: entries.length,
    };
    if (sent !== undefined) header.s = Object.fromEntries(sent);
    const signed = `${this.ownPrefix}${JSON.stringify(header)}\n[${entries.join(',')}]`;
    return `${signed}\n${this.security.hasSecret() ? this.security.signText(signed) : UNSIGNED}`;
  }

  isOwnEcho(text: string): boolean {
    return text.startsWith(this.ownPrefix);
  }

  /**
   * Size, then signature over the raw text, then age, then shape: nothing is parsed before it is known to be
   * authentic (or, in an unsigned cluster, before it is known to fit). Never throws.
   */
  decode(text: string): DecodeResult {
    const isFrame = text.startsWith(`${WIRE_MAGIC} `);
    // Within the first line and the header, where a frame has its first two line breaks.
    const start = text.slice(0, MAX_HEADER_CHARS + 64);
    const firstBreak = start.indexOf('\n');
    const headerBreak = firstBreak < 0 ? -1 : start.indexOf('\n', firstBreak + 1);
    const headerText = headerBreak < 0 ? '' : text.slice(firstBreak + 1, headerBreak);
    const claims = (error: FrameRejection): FrameRefusal => ({ ok: false, error, ...peekClaims(headerText, text, headerBreak + 1) });
    if (tooLarge(text, this.maxFrameBytes)) return isFrame ? claims('too_large') : { ok: false, error: 'too_large' };
    if (!isFrame) return this.notAFrame(text);
    const lastBreak = text.lastIndexOf('\n');
    if (headerBreak < 0 || lastBreak <= headerBreak) return { ok: false, error: 'invalid_format' };

    const signature = text.slice(lastBreak + 1);
    const signed = signature !== UNSIGNED;
    if (!signed && this.security.hasSecret()) return claims('unsecured_message_rejected');
    if (signed && !this.security.hasSecret()) return claims('no_secret_configured');
    if (signed && !this.security.verifyText(text.slice(0, lastBreak), signature)) return claims('invalid_signature');

    const epoch = text.slice(WIRE_MAGIC.length + 1, firstBreak);
    if (!EPOCH_PATTERN.test(epoch)) return claims('invalid_format');
    const header = readHeader(headerText);
    if (header === undefined) return claims('invalid_format');
    if (signed && !this.security.isFresh(header.timestamp)) return claims('expired');
    let entries: unknown;
    try {
      entries = JSON.parse(text.slice(headerBreak + 1, lastBreak));
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

/** Fast on the common path: a string's UTF-8 size is at most three bytes per UTF-16 unit. */
function tooLarge(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  return text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes;
}

interface Header {
  node: string;
  epochStartedAt: number;
  number: number;
  timestamp: number;
  kind: FrameKind;
  count: number;
  sent?: Map<ChannelName, number>;
}

function readHeader(text: string): Header | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const { n, es, f, t, k, c, s } = raw as Record<string, unknown>;
  if (typeof n !== 'string' || n === '' || typeof k !== 'string' || !KINDS.has(k)) return undefined;
  if (!isCount(es) || !isCount(f) || f < 1 || !isCount(t) || !isCount(c)) return undefined;
  const sent = readSent(s);
  if (sent === null) return undefined;
  return { node: n, epochStartedAt: es, number: f, timestamp: t, kind: k as FrameKind, count: c, sent };
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The announced sequence numbers: undefined when absent, null when malformed. */
function readSent(raw: unknown): Map<ChannelName, number> | undefined | null {
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const sent = new Map<ChannelName, number>();
  for (const [channel, seq] of Object.entries(raw)) {
    if (!isChannelName(channel) || !isCount(seq)) return null;
    sent.set(channel, seq);
  }
  return sent;
}

const CLAIMED_NODE = /"n":"((?:[^"\\]|\\.){1,200})"/;
const CLAIMED_CHANNEL = /^\[\[\d{1,16},"([a-z]{1,16})"/;

/**
 * What an unauthenticated frame claims, for the rejection report, by looking at a few bytes (never parsing):
 * the node its header names, and the channel of its first entry.
 */
function peekClaims(headerText: string, text: string, bodyStart: number): { claimedNode?: string; claimedChannel?: ChannelName } {
  if (headerText === '') return {};
  const node = CLAIMED_NODE.exec(headerText.slice(0, 1_024))?.[1];
  const channel = CLAIMED_CHANNEL.exec(text.slice(bodyStart, bodyStart + 64))?.[1];
  return { claimedNode: node, claimedChannel: isChannelName(channel) ? channel : undefined };
}

/** Reads one entry of an authenticated data frame; undefined when it is malformed. */
export function readEntry(raw: unknown, node: string): WireMessage | undefined {
  if (!Array.isArray(raw) || (raw.length !== 7 && raw.length !== 8)) return undefined;
  const [seq, channel, id, topic, type, timestamp, payload, rawHeaders] = raw as unknown[];
  if (!isChannelName(channel) || !Number.isSafeInteger(seq) || (seq as number) < 1) return undefined;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') return undefined;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || !isValidTopic(topic)) return undefined;
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
