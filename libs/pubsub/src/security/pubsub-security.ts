import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import { canonicalJson } from './canonical-serialisation.js';
import { readPubSubMessage } from './message-shape.js';
import { ReplayGuard } from './replay-guard.js';
import { normaliseSecretKeys } from './secret-keys.js';
import { equalInConstantTime, Sha256Mac } from './sha256-mac.js';

export const SIGNATURE_ALGORITHM = 'HMAC-SHA256';

/** What crosses the transport: the message as sent and the hex HMAC-SHA256 of its canonical JSON. */
export interface SignedMessage {
  message: PubSubMessage;
  signature: string;
  alg: typeof SIGNATURE_ALGORITHM;
}

export type SecureMessageError =
  'invalid_signature' | 'no_secret_configured' | 'unsecured_message_rejected' | 'invalid_format' | 'expired' | 'replayed';

export type SecureMessageResult = { ok: true; message: PubSubMessage } | { ok: false; error: SecureMessageError };

export interface PubSubSecurityOptions {
  /** HMAC keys: the first signs, every one verifies. Empty or absent means no secret. */
  secretKeyBase?: string | string[];
  /** Signed messages older than this, or further than this in the future (clock skew), are 'expired'. */
  messageMaxAgeMs?: number;
  /** Bound on the ids remembered for replay detection. */
  maxRememberedIds?: number;
  now?: () => number;
}

const DEFAULT_MESSAGE_MAX_AGE_MS = 300_000;
const DEFAULT_MAX_REMEMBERED_IDS = 100_000;
const SIGNATURE_HEX_LENGTH = 64;

// Shared, frozen failures: a flood of bad messages allocates no result objects.
const FAILURES: { readonly [E in SecureMessageError]: SecureMessageResult } = Object.freeze({
  invalid_signature: Object.freeze({ ok: false, error: 'invalid_signature' }),
  no_secret_configured: Object.freeze({ ok: false, error: 'no_secret_configured' }),
  unsecured_message_rejected: Object.freeze({ ok: false, error: 'unsecured_message_rejected' }),
  invalid_format: Object.freeze({ ok: false, error: 'invalid_format' }),
  expired: Object.freeze({ ok: false, error: 'expired' }),
  replayed: Object.freeze({ ok: false, error: 'replayed' }),
});

/**
 * Signs messages on their way out to the transport and validates what comes in: HMAC-SHA256 over the
 * canonical JSON of the whole message (so it verifies after a JSON round trip), key rotation, an age window
 * and replay detection.
 */
export class PubSubSecurity {
  private readonly keys: readonly Sha256Mac[];
  private readonly messageMaxAgeMs: number;
  private readonly replayGuard: ReplayGuard;
  private readonly now: () => number;

  constructor(options: PubSubSecurityOptions = {}) {
    this.keys = normaliseSecretKeys(options.secretKeyBase).map((key) => new Sha256Mac(Buffer.from(key, 'utf8')));
    this.messageMaxAgeMs = positiveNumber('messageMaxAgeMs', options.messageMaxAgeMs, DEFAULT_MESSAGE_MAX_AGE_MS);
    const maxRememberedIds = positiveNumber('maxRememberedIds', options.maxRememberedIds, DEFAULT_MAX_REMEMBERED_IDS);
    if (!Number.isInteger(maxRememberedIds)) {
      throw new PubSubError('invalid_option', ERRORS.notAnInteger('maxRememberedIds', maxRememberedIds));
    }
    this.replayGuard = new ReplayGuard(this.messageMaxAgeMs, maxRememberedIds);
    this.now = options.now ?? Date.now;
  }

  hasSecret(): boolean {
    return this.keys.length > 0;
  }

  /**
   * Hex HMAC-SHA256 of raw text (or of its UTF-8 bytes, the same HMAC) with the signing key: wire frames are
   * authenticated as the bytes they are, before anything in them is parsed. Throws when no secret is
   * configured (check hasSecret() first).
   */
  signText(text: string | Uint8Array): string {
    const signingKey = this.keys[0];
    if (signingKey === undefined) throw new PubSubError('invalid_argument', ERRORS.cannotSignWithoutSecret('signText'));
    return signingKey.hex(text);
  }

  /** True when `signature` is the HMAC of `text` (or UTF-8 bytes) under one of the keys; constant-time. Never throws. */
  verifyText(text: string | Uint8Array, signature: string): boolean {
    return (typeof text === 'string' || text instanceof Uint8Array) && typeof signature === 'string' && this.verifies(text, signature);
  }

  /** False for timestamps outside the age window (older, or further in the future, than messageMaxAgeMs). */
  isFresh(timestamp: number): boolean {
    return Math.abs(this.now() - timestamp) <= this.messageMaxAgeMs;
  }

  /** Ids currently remembered for replay detection (never more than maxRememberedIds). */
  get rememberedIdCount(): number {
    return this.replayGuard.size;
  }

  /**
   * Signs with the first key. The signed copy holds exactly the seven message fields (and the headers, when
   * the message has them), with an undefined payload sent as null (JSON cannot carry undefined, and the receiver requires the field). Throws when no
   * secret is configured or the message is malformed or not JSON-serialisable: programming errors.
   */
  sign(message: PubSubMessage): SignedMessage {
    const signingKey = this.keys[0];
    if (signingKey === undefined) {
      throw new PubSubError('invalid_argument', ERRORS.cannotSignWithoutSecret('sign'));
    }
    const candidate = message.payload === undefined ? { ...message, payload: null } : message;
    const fresh = readPubSubMessage(candidate);
    if (typeof fresh === 'string') throw new PubSubError('invalid_argument', ERRORS.unsignableField(fresh));
    const canonical = canonicalJson(fresh);
    if (canonical === undefined) {
      throw new PubSubError('invalid_argument', ERRORS.unsignablePayload(fresh.id));
    }
    return { message: fresh, signature: signingKey.hex(canonical), alg: SIGNATURE_ALGORITHM };
  }

  /** Never throws, whatever `raw` is. On success the message is a fresh object: the seven fields, and headers if any. */
  validateSecureMessage(raw: unknown): SecureMessageResult {
    try {
      return this.validate(raw);
    } catch {
      // Only hostile input gets here (Proxy traps, throwing getters, strings too long to render).
      return FAILURES.invalid_format;
    }
  }

  private validate(raw: unknown): SecureMessageResult {
    if (typeof raw !== 'object' || raw === null) return FAILURES.invalid_format;
    if (!looksSigned(raw)) {
      const message = readPubSubMessage(raw);
      if (typeof message === 'string') return FAILURES.invalid_format;
      return this.hasSecret() ? FAILURES.unsecured_message_rejected : { ok: true, message };
    }

    const { message: rawMessage, signature, alg } = raw as Partial<Record<keyof SignedMessage, unknown>>;
    if (alg !== SIGNATURE_ALGORITHM || typeof signature !== 'string') return FAILURES.invalid_format;
    const message = readPubSubMessage(rawMessage);
    if (typeof message === 'string') return FAILURES.invalid_format;
    if (!this.hasSecret()) return FAILURES.no_secret_configured;
    const canonical = canonicalJson(message);
    if (canonical === undefined) return FAILURES.invalid_format;
    if (!this.verifies(canonical, signature)) return FAILURES.invalid_signature;

    if (!this.isFresh(message.timestamp)) return FAILURES.expired;
    if (!this.replayGuard.accept(message.id, message.timestamp, this.now())) return FAILURES.replayed;
    return { ok: true, message };
  }

  private verifies(text: string | Uint8Array, signature: string): boolean {
    // Compared with the expected lower-case hex itself, so any other spelling of the same digest fails too.
    if (signature.length !== SIGNATURE_HEX_LENGTH) return false;
    // Tried in order: the current signing key first, so only messages from nodes still on an older key pay
    // for more than one HMAC.
    for (const key of this.keys) if (equalInConstantTime(key.hex(text), signature)) return true;
    return false;
  }
}

function looksSigned(raw: object): boolean {
  return Object.hasOwn(raw, 'signature') || Object.hasOwn(raw, 'message');
}

function positiveNumber(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PubSubError('invalid_option', ERRORS.notAPositiveNumber(option, value));
  }
  return value;
}
