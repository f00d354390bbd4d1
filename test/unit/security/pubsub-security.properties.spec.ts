import fc from 'fast-check';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { canonicalJson } from '../../../libs/pubsub/src/security/canonical-serialisation.js';
import { PubSubSecurity, type SignedMessage } from '../../../libs/pubsub/src/security/index.js';
import { aMessage, arbitraryMessage, arbitraryMessageField, KEY, MAX_AGE_MS, NOW, overTheWire } from './security-fixtures.js';
import { anyValue } from '../../support/arbitraries.js';

function freshSecurity(secretKeyBase: string | undefined = KEY): PubSubSecurity {
  return new PubSubSecurity({ secretKeyBase, messageMaxAgeMs: MAX_AGE_MS, now: () => NOW });
}

const replacementFor = arbitraryMessageField;

// One field replaced by a different, still well-formed and in-window value: only the signature can catch it.
const tamperedField = fc.oneof(
  ...(Object.keys(replacementFor) as (keyof PubSubMessage)[]).map((field) =>
    fc.record({ field: fc.constant(field), value: replacementFor[field] as fc.Arbitrary<unknown> }),
  ),
);

const hexDigit = fc.constantFrom(...'0123456789abcdef');

const everything = anyValue;

describe('PubSubSecurity properties', () => {
  it('validates every well-formed message after signing and a JSON round trip', () => {
    fc.assert(
      fc.property(arbitraryMessage, (message) => {
        const result = freshSecurity().validateSecureMessage(overTheWire(freshSecurity().sign(message)));
        expect(result).toEqual({ ok: true, message: overTheWire(message) });
      }),
    );
  });

  it('rejects a signed message with any one of its seven fields changed', () => {
    fc.assert(
      fc.property(arbitraryMessage, tamperedField, (message, { field, value }) => {
        const original = (message as unknown as Record<string, unknown>)[field];
        fc.pre(canonicalJson(value) !== canonicalJson(original));
        const guard = freshSecurity();
        const wire = overTheWire(guard.sign(message));
        const tampered = { ...wire, message: { ...wire.message, [field]: value } };
        expect(guard.validateSecureMessage(overTheWire(tampered))).toEqual({ ok: false, error: 'invalid_signature' });
        expect(guard.validateSecureMessage(wire).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a signed message whose signature is changed in any way', () => {
    const anyOtherSignature = fc.oneof(
      fc.tuple(fc.nat({ max: 63 }), hexDigit).map(([at, digit]) => ({ at, digit })),
      fc.string(),
    );
    fc.assert(
      fc.property(arbitraryMessage, anyOtherSignature, (message, change) => {
        const guard = freshSecurity();
        const wire = overTheWire(guard.sign(message));
        const signature =
          typeof change === 'string' ? change : wire.signature.slice(0, change.at) + change.digit + wire.signature.slice(change.at + 1);
        fc.pre(signature !== wire.signature);
        expect(guard.validateSecureMessage({ ...wire, signature })).toEqual({ ok: false, error: 'invalid_signature' });
      }),
    );
  });

  it('rejects arbitrary junk without throwing, with or without a secret', () => {
    const withSecret = freshSecurity();
    const withoutSecret = freshSecurity(undefined);
    fc.assert(
      fc.property(everything, (raw) => {
        expect(withSecret.validateSecureMessage(raw).ok).toBe(false);
        expect(withoutSecret.validateSecureMessage(raw).ok).toBe(false);
      }),
      { numRuns: 1_000 },
    );
  });

  it('rejects objects shaped almost like a signed message, without throwing', () => {
    const guard = freshSecurity();
    const signed: SignedMessage = guard.sign(aMessage());
    const parts: Record<string, unknown> = { ...signed.message, signature: signed.signature, alg: signed.alg };
    const partNames = Object.keys(parts);
    const nearMiss = fc
      .uniqueArray(fc.constantFrom(...partNames), { minLength: 1 })
      .chain((names) => fc.tuple(fc.constant(names), fc.array(everything, { minLength: names.length, maxLength: names.length })))
      .map(([names, values]) => {
        const replaced = { ...parts };
        names.forEach((name, index) => (replaced[name] = values[index]));
        return replaced;
      })
      .filter((replaced) => partNames.some((name) => canonicalJson(replaced[name]) !== canonicalJson(parts[name])));
    fc.assert(
      fc.property(nearMiss, fc.boolean(), (replaced, dropAPart) => {
        const { signature, alg, ...message } = replaced;
        const envelope: Record<string, unknown> = { message, signature, alg };
        if (dropAPart) delete envelope[Object.keys(envelope)[0] as string];
        expect(guard.validateSecureMessage(envelope).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on hostile objects: throwing traps and getters, revoked proxies, huge strings, cycles', () => {
    const guard = freshSecurity();
    const signed = overTheWire(guard.sign(aMessage()));
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('get');
        },
        has: () => {
          throw new Error('has');
        },
        ownKeys: () => {
          throw new Error('ownKeys');
        },
        getOwnPropertyDescriptor: () => {
          throw new Error('getOwnPropertyDescriptor');
        },
        getPrototypeOf: () => {
          throw new Error('getPrototypeOf');
        },
      },
    );
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const throwingGetter = (name: string) =>
      Object.defineProperty({ ...signed.message }, name, {
        get: () => {
          throw new Error(name);
        },
      });
    const cyclic: Record<string, unknown> = {};
    cyclic.loop = cyclic;
    const hostile: unknown[] = [
      throwing,
      revocable.proxy,
      { ...signed, message: throwing },
      { ...signed, signature: throwing },
      { ...signed, message: throwingGetter('payload') },
      { ...signed, message: throwingGetter('id') },
      { ...signed, message: { ...signed.message, payload: cyclic } },
      {
        ...signed,
        message: {
          ...signed.message,
          payload: {
            toJSON: () => {
              throw new Error('toJSON');
            },
          },
        },
      },
      { ...signed, message: { ...signed.message, payload: 10n } },
      { ...signed, message: { ...signed.message, id: 'x'.repeat(50_000_000) } },
      { ...signed, message: { ...signed.message, topic: 'x'.repeat(5_000_000) } },
      { ...signed, signature: 'a'.repeat(50_000_000) },
      throwingGetter('id'),
    ];
    for (const raw of hostile) {
      expect(() => guard.validateSecureMessage(raw)).not.toThrow();
      expect(guard.validateSecureMessage(raw).ok).toBe(false);
      expect(freshSecurity(undefined).validateSecureMessage(raw).ok).toBe(false);
    }
  });
});
