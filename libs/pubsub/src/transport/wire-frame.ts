import { createHash, randomBytes } from 'node:crypto';
import { isChannelName, type ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import { isValidTopic } from '../routing/topic-grammar.js';
import type { PubSubSecurity, SecureMessageError } from '../security/pubsub-security.js';

/**
 * The wire format. One bus message is one frame: a header line, a newline, and the body.
 *
 * - Header: a PubSubMessage "envelope" (type FRAME_TYPE) whose payload is `{ v, e, k, n, d, s? }`: wire
 *   version, the sender's epoch (this run of the node; sequences restart with it), the kind (d(ata),
 *   h(eartbeat), j(oin), b(ye)), the entry count, the SHA-256 of the body and, on h/j/b frames, the highest
 *   sequence number per channel the sender has published (so receivers can tell what they missed). Signed with PubSubSecurity when a secret is
 *   configured (`{ message, signature, alg }`), plain otherwise.
 * - Body: a JSON array of entries `[channel, seq, id, topic, type, timestamp, payload]`.
 *
 * The signature covers the digest, the digest covers every field of every message (channel and topic
 * included) and their sequence numbers: one HMAC per frame, and the body is serialised once and never
 * escaped into a string. The envelope id gives per-frame replay protection and its timestamp the age check.
 */
export const WIRE_VERSION = 1;
export const FRAME_TYPE = 'pubsub_transport_frame';
export const FRAME_TOPIC = 'pubsub_transport:frame';
const FRAME_CHANNEL: ChannelName = 'system';

export type FrameKind = 'd' | 'h' | 'j' | 'b';
const KINDS: ReadonlySet<string> = new Set(['d', 'h', 'j', 'b']);

export interface Frame {
  id: string;
  node: string;
  epoch: string;
  kind: FrameKind;
  /** Raw entries (data frames); read each with `readEntry`. */
  entries: unknown[];
  /** On h/j/b frames: per channel, the highest sequence number the sender has published. */
  sent?: Map<ChannelName, number>;
}

export interface WireMessage {
  seq: number;
  message: PubSubMessage;
}

/** On failure: the header as parsed (or the text) and the unverified body, to see what it claimed. */
export type DecodeResult = { ok: true; frame: Frame } | { ok: false; error: SecureMessageError; raw: unknown; body?: string };

export function newEpoch(): string {
  return randomBytes(6).toString('hex');
}

export class FrameCodec {
  private frameNumber = 0;
  private readonly ownPrefix: string;

  constructor(
    readonly node: string,
    readonly epoch: string,
    private readonly security: PubSubSecurity,
  ) {
    // Our own frames come back from the bus; recognise them from the text before any parsing. The prefix
    // is taken from a real encoding, so it follows whatever layout `sign` produces.
    const sample = this.wrap(`${epoch}.0`, {});
    const at = sample.indexOf(`"${epoch}.`);
    this.ownPrefix = at > 0 ? sample.slice(0, at + epoch.length + 2) : `\u0000never`;
  }

  /** The JSON text of one entry, or undefined when the payload cannot be serialised. */
  encodeEntry(message: PubSubMessage, seq: number): string | undefined {
    try {
      return JSON.stringify([message.channel, seq, message.id, message.topic, message.type, message.timestamp, message.payload]);
    } catch {
      return undefined;
    }
  }

  /** The wire text of a frame carrying the given entry texts. */
  encode(kind: FrameKind, entries: readonly string[] = [], sent?: ReadonlyMap<ChannelName, number>): string {
    const body = `[${entries.join(',')}]`;
    const header: Record<string, unknown> = { v: WIRE_VERSION, e: this.epoch, k: kind, n: entries.length, d: digest(body) };
    if (sent !== undefined) header.s = Object.fromEntries(sent);
    return `${this.wrap(`${this.epoch}.${(++this.frameNumber).toString(36)}`, header)}\n${body}`;
  }

  isOwnEcho(text: string): boolean {
    return text.startsWith(this.ownPrefix);
  }

  /** Validates and opens a frame. Never throws. */
  decode(text: string): DecodeResult {
    const split = text.indexOf('\n');
    const headerText = split < 0 ? text : text.slice(0, split);
    let raw: unknown;
    try {
      raw = JSON.parse(headerText);
    } catch {
      return { ok: false, error: 'invalid_format', raw: text };
    }
    const body = split < 0 ? undefined : text.slice(split + 1);
    // The body first, against the digest the header claims: a changed body is rejected before the header's
    // id is recorded as seen, so a tampered copy cannot make the genuine frame look like a replay.
    const claimed = unverifiedHeader(raw)?.d;
    if (body !== undefined && typeof claimed === 'string' && digest(body) !== claimed) return { ok: false, error: 'invalid_signature', raw, body };
    const checked = this.security.validateSecureMessage(raw);
    if (!checked.ok) return { ok: false, error: checked.error, raw, body };
    const envelope = checked.message;
    const { v, e, k, n, d, s } = (envelope.payload ?? {}) as Record<string, unknown>;
    if (envelope.type !== FRAME_TYPE || body === undefined || v !== WIRE_VERSION || typeof e !== 'string' || e === '') return { ok: false, error: 'invalid_format', raw };
    if (typeof k !== 'string' || !KINDS.has(k) || typeof n !== 'number' || d !== claimed) return { ok: false, error: 'invalid_format', raw };
    let entries: unknown;
    try {
      entries = JSON.parse(body);
    } catch {
      return { ok: false, error: 'invalid_format', raw };
    }
    if (!Array.isArray(entries) || entries.length !== n) return { ok: false, error: 'invalid_format', raw };
    const sent = readSent(s);
    if (sent === null) return { ok: false, error: 'invalid_format', raw };
    return { ok: true, frame: { id: envelope.id, node: envelope.node, epoch: e, kind: k as FrameKind, entries, sent } };
  }

  private wrap(id: string, header: Record<string, unknown>): string {
    const envelope: PubSubMessage = {
      id,
      channel: FRAME_CHANNEL,
      topic: FRAME_TOPIC,
      type: FRAME_TYPE,
      payload: header,
      timestamp: Date.now(),
      node: this.node,
    };
    return JSON.stringify(this.security.hasSecret() ? this.security.sign(envelope) : envelope);
  }
}

/** The announced sequence numbers: undefined when absent, null when malformed. */
function readSent(raw: unknown): Map<ChannelName, number> | undefined | null {
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const sent = new Map<ChannelName, number>();
  for (const [channel, seq] of Object.entries(raw)) {
    if (!isChannelName(channel) || !Number.isSafeInteger(seq) || (seq as number) < 0) return null;
    sent.set(channel, seq as number);
  }
  return sent;
}

/** The envelope a frame header claims to be, signed (`{ message, signature }`) or plain, before any check. */
export function unverifiedEnvelope(raw: unknown): Record<string, unknown> | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const envelope = Object.hasOwn(raw, 'message') ? (raw as { message: unknown }).message : raw;
  return envelope !== null && typeof envelope === 'object' ? (envelope as Record<string, unknown>) : undefined;
}

function unverifiedHeader(raw: unknown): Record<string, unknown> | undefined {
  const payload = unverifiedEnvelope(raw)?.payload;
  return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined;
}

function digest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('base64');
}

/** Reads one entry of an authenticated data frame; undefined when it is malformed. */
export function readEntry(raw: unknown, node: string): WireMessage | undefined {
  if (!Array.isArray(raw) || raw.length !== 7) return undefined;
  const [channel, seq, id, topic, type, timestamp, payload] = raw as unknown[];
  if (!isChannelName(channel) || !Number.isSafeInteger(seq) || (seq as number) < 1) return undefined;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') return undefined;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || !isValidTopic(topic)) return undefined;
  return { seq: seq as number, message: { id, channel, topic, type, payload, timestamp, node } };
}

/**
 * The channels a rejected frame claims to carry messages for, with counts, read without trusting it; a
 * frame that names none (garbage, a bare PubSubMessage without a valid channel) is charged to 'security'.
 */
export function claimedChannels(raw: unknown, body?: string): Map<ChannelName, number> {
  const claims = new Map<ChannelName, number>();
  try {
    const { channel, type } = unverifiedEnvelope(raw) ?? {};
    if (type === FRAME_TYPE && body !== undefined) {
      const entries = JSON.parse(body) as unknown;
      if (Array.isArray(entries)) {
        for (const entry of entries) {
          const name = Array.isArray(entry) ? entry[0] : undefined;
          if (isChannelName(name)) claims.set(name, (claims.get(name) ?? 0) + 1);
        }
      }
    } else if (isChannelName(channel) && type !== FRAME_TYPE) {
      claims.set(channel, 1);
    }
  } catch {
    // Unreadable: charged to security below.
  }
  if (claims.size === 0) claims.set('security', 1);
  return claims;
}
