import { createHmac } from 'node:crypto';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { canonicalJson } from '../../../libs/pubsub/src/security/canonical-serialisation.js';
import { PubSubSecurity, type PubSubSecurityOptions } from '../../../libs/pubsub/src/security/index.js';
import { aMessage, KEY, MAX_AGE_MS, NOW, OLD_KEY, overTheWire } from './security-fixtures.js';

function security(options: PubSubSecurityOptions = {}): PubSubSecurity {
  return new PubSubSecurity({ secretKeyBase: KEY, messageMaxAgeMs: MAX_AGE_MS, now: () => NOW, ...options });
}

describe('PubSubSecurity signing', () => {
  it('signs with HMAC-SHA256 into a plain object that validates after a JSON round trip', () => {
    const guard = security();
    const message = aMessage();
    const signed = guard.sign(message);
    expect(signed).toEqual({ message, signature: expect.stringMatching(/^[0-9a-f]{64}$/), alg: 'HMAC-SHA256' });
    expect(guard.validateSecureMessage(overTheWire(signed))).toEqual({ ok: true, message });
  });

  it('validates the very object sign returned', () => {
    const guard = security();
    const message = aMessage();
    expect(guard.validateSecureMessage(guard.sign(message))).toEqual({ ok: true, message });
  });

  it.each([null, {}, [], '', 'text', 0, false, { nested: [{ deep: null }] }])('carries payload %p intact', (payload) => {
    const guard = security();
    const result = guard.validateSecureMessage(overTheWire(guard.sign(aMessage({ payload }))));
    expect(result).toEqual({ ok: true, message: expect.objectContaining({ payload }) });
  });

  it('sends an undefined payload as null, which JSON can carry', () => {
    const guard = security();
    const signed = guard.sign(aMessage({ payload: undefined }));
    expect(signed.message.payload).toBeNull();
    expect(guard.validateSecureMessage(overTheWire(signed)).ok).toBe(true);
  });

  it('signs only the seven message fields, and the signature depends on the key', () => {
    const message = aMessage();
    const withExtra = { ...message, extra: 'not part of a message' } as PubSubMessage;
    const signed = security().sign(withExtra);
    expect(Object.keys(signed.message).sort()).toEqual(['channel', 'id', 'node', 'payload', 'timestamp', 'topic', 'type']);
    expect(signed.signature).toBe(security().sign(message).signature);
    expect(signed.signature).not.toBe(security({ secretKeyBase: OLD_KEY }).sign(message).signature);
  });

  it('throws on programming errors: no secret, a malformed message, a payload JSON cannot carry', () => {
    expect(() => new PubSubSecurity().sign(aMessage())).toThrow(/no secretKeyBase is configured/);
    expect(() => security().sign(aMessage({ topic: 'bad topic' }))).toThrow(/'topic'/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => security().sign(aMessage({ payload: cyclic }))).toThrow(/cannot be serialised/);
    expect(() => security().sign(aMessage({ payload: { count: 1n } }))).toThrow(/cannot be serialised/);
  });
});

describe('PubSubSecurity validation errors', () => {
  it('invalid_signature: the signature was made with another key', () => {
    const forged = security({ secretKeyBase: 'attacker-key' }).sign(aMessage());
    expect(security().validateSecureMessage(forged)).toEqual({ ok: false, error: 'invalid_signature' });
  });

  it('invalid_signature: the signature is not 64 lower-case hex digits', () => {
    const signed = security().sign(aMessage());
    for (const signature of ['', 'zz', signed.signature.toUpperCase(), `${signed.signature}00`, signed.signature.slice(1)]) {
      expect(security().validateSecureMessage({ ...signed, signature })).toEqual({ ok: false, error: 'invalid_signature' });
    }
  });

  it('no_secret_configured: a signed message reaches a node without a secret', () => {
    const signed = overTheWire(security().sign(aMessage()));
    expect(new PubSubSecurity().validateSecureMessage(signed)).toEqual({ ok: false, error: 'no_secret_configured' });
  });

  it('unsecured_message_rejected: a plain message reaches a node with a secret', () => {
    expect(security().validateSecureMessage(aMessage())).toEqual({ ok: false, error: 'unsecured_message_rejected' });
  });

  it('accepts a plain message, as a fresh seven-field object, where no secret is configured', () => {
    const message = aMessage();
    const result = new PubSubSecurity().validateSecureMessage({ ...message, injected: true });
    expect(result).toEqual({ ok: true, message });
    expect(result.ok && result.message).not.toHaveProperty('injected');
  });

  it.each<[string, unknown]>([
    ['a string', 'message'],
    ['null', null],
    ['an array', []],
    ['an empty id', { ...aMessage(), id: '' }],
    ['an unknown channel', { ...aMessage(), channel: 'nope' }],
    ['a pattern as topic', { ...aMessage(), topic: 'cluster:*' }],
    ['an empty type', { ...aMessage(), type: '' }],
    ['a NaN timestamp', { ...aMessage(), timestamp: Number.NaN }],
    ['a string timestamp', { ...aMessage(), timestamp: String(NOW) }],
    ['a numeric node', { ...aMessage(), node: 7 }],
    ['no payload key', (({ payload: _omitted, ...rest }) => rest)(aMessage())],
  ])('invalid_format: %s', (_case, raw) => {
    expect(security().validateSecureMessage(raw)).toEqual({ ok: false, error: 'invalid_format' });
    expect(new PubSubSecurity().validateSecureMessage(raw)).toEqual({ ok: false, error: 'invalid_format' });
  });

  it('invalid_format: a malformed envelope', () => {
    const guard = security();
    const signed = overTheWire(guard.sign(aMessage()));
    const malformed: unknown[] = [
      { ...signed, alg: 'HMAC-SHA1' },
      { ...signed, signature: 42 },
      { ...signed, message: 'not a message' },
      { ...signed, message: { ...signed.message, channel: 'unknown' } },
      { signature: signed.signature, alg: signed.alg },
    ];
    for (const raw of malformed) expect(guard.validateSecureMessage(raw)).toEqual({ ok: false, error: 'invalid_format' });
  });

  it('expired: older than messageMaxAgeMs, or as far in the future (clock skew bound)', () => {
    let now = NOW;
    const guard = security({ now: () => now });
    const signed = guard.sign(aMessage());
    now = NOW + MAX_AGE_MS + 1;
    expect(guard.validateSecureMessage(signed)).toEqual({ ok: false, error: 'expired' });
    now = NOW - MAX_AGE_MS - 1;
    expect(guard.validateSecureMessage(signed)).toEqual({ ok: false, error: 'expired' });
    now = NOW + MAX_AGE_MS;
    expect(guard.validateSecureMessage(signed).ok).toBe(true);
  });

  it('replayed: the same signed message accepted twice', () => {
    const guard = security();
    const wire = overTheWire(guard.sign(aMessage()));
    expect(guard.validateSecureMessage(wire).ok).toBe(true);
    expect(guard.validateSecureMessage(overTheWire(wire))).toEqual({ ok: false, error: 'replayed' });
  });

  it('remembers an id only once the message passed every other check', () => {
    let now = NOW;
    const guard = security({ now: () => now });
    const message = aMessage();
    const signed = guard.sign(message);
    expect(guard.validateSecureMessage({ ...signed, signature: '0'.repeat(64) }).ok).toBe(false);
    now = NOW + MAX_AGE_MS + 1;
    expect(guard.validateSecureMessage(signed)).toEqual({ ok: false, error: 'expired' });
    expect(guard.rememberedIdCount).toBe(0);
    now = NOW;
    expect(guard.validateSecureMessage(signed)).toEqual({ ok: true, message });
  });

  it('keeps its replay memory at maxRememberedIds however many messages arrive', () => {
    const guard = security({ maxRememberedIds: 5 });
    const wires = Array.from({ length: 200 }, () => overTheWire(guard.sign(aMessage())));
    for (const wire of wires) {
      expect(guard.validateSecureMessage(wire).ok).toBe(true);
      expect(guard.rememberedIdCount).toBeLessThanOrEqual(5);
    }
    expect(guard.rememberedIdCount).toBe(5);
    expect(guard.validateSecureMessage(wires[199])).toEqual({ ok: false, error: 'replayed' });
  });
});

describe('PubSubSecurity key rotation', () => {
  it('verifies a message signed with the old key once the new key signs first', () => {
    const signedByOld = overTheWire(security({ secretKeyBase: OLD_KEY }).sign(aMessage()));
    expect(security({ secretKeyBase: [KEY, OLD_KEY] }).validateSecureMessage(signedByOld).ok).toBe(true);
  });

  it('signs with the first key of the list', () => {
    const message = aMessage();
    const rotated = security({ secretKeyBase: [KEY, OLD_KEY] }).sign(message);
    expect(rotated.signature).toBe(security({ secretKeyBase: KEY }).sign(message).signature);
    expect(security({ secretKeyBase: KEY }).validateSecureMessage(rotated).ok).toBe(true);
  });

  it('rejects a key that is not in the list', () => {
    const signedByRetired = security({ secretKeyBase: 'retired-key' }).sign(aMessage());
    const result = security({ secretKeyBase: [KEY, OLD_KEY] }).validateSecureMessage(signedByRetired);
    expect(result).toEqual({ ok: false, error: 'invalid_signature' });
  });
});

describe('PubSubSecurity canonical form', () => {
  it('signs the canonical JSON of the whole message: the HMAC can be recomputed from it', () => {
    const signed = security().sign(aMessage());
    const expected = createHmac('sha256', KEY)
      .update(canonicalJson(signed.message) as string)
      .digest('hex');
    expect(signed.signature).toBe(expected);
  });
});
