import fc from 'fast-check';
import { canonicalJson, MAX_CANONICAL_DEPTH } from '../../../libs/pubsub/src/security/canonical-serialisation.js';
import { anyValue } from '../../support/arbitraries.js';

/** JSON.stringify's verdict: its text, or undefined when it throws or has nothing to say. */
function plainJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { inner: value };
  return value;
}

const everything = anyValue;

describe('canonicalJson', () => {
  it('sorts object keys at every level and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, 2], c: null } })).toBe('{"a":{"c":null,"d":[3,1,2]},"b":1}');
  });

  it('renders the same text whatever order the keys were inserted in', () => {
    expect(canonicalJson({ x: 1, y: { p: true, q: 'z' } })).toBe(canonicalJson({ y: { q: 'z', p: true }, x: 1 }));
  });

  it('follows JSON for undefined, functions, symbols, non-finite numbers, -0, dates and boxed values', () => {
    const value = {
      missing: undefined,
      method: () => 1,
      symbol: Symbol('s'),
      list: [undefined, () => 1, Number.NaN, Number.POSITIVE_INFINITY, -0],
      when: new Date(0),
      boxed: [new Number(2), new String('s'), new Boolean(false)],
    };
    expect(canonicalJson(value)).toBe('{"boxed":[2,"s",false],"list":[null,null,null,null,0],"when":"1970-01-01T00:00:00.000Z"}');
  });

  it('escapes strings exactly as JSON does, lone surrogates included', () => {
    const text = 'quote " backslash \\ newline \n tab \t nul \u0000 lone \ud800 emoji \u{1f600}';
    expect(canonicalJson(text)).toBe(JSON.stringify(text));
  });

  it('passes toJSON the property name, and array indices as strings', () => {
    const keys: unknown[] = [];
    const probe = { toJSON: (key: unknown) => (keys.push(key), 'seen') };
    canonicalJson({ field: probe, list: [probe] });
    expect(keys).toEqual(['field', '0']);
  });

  it('returns undefined, without throwing, when there is no JSON form', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const throwingGetter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const hostileProxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const refusals: unknown[] = [
      cyclic,
      [[cyclic]],
      10n,
      { big: 10n },
      Object(10n),
      undefined,
      () => 1,
      Symbol('s'),
      throwingGetter,
      hostileProxy,
      {
        toJSON: () => {
          throw new Error('toJSON');
        },
      },
    ];
    for (const value of refusals) expect(canonicalJson(value)).toBeUndefined();
  });

  it('accepts a shared (acyclic) reference twice', () => {
    const shared = { n: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"n":1},"b":[{"n":1}]}');
  });

  it(`accepts nesting up to ${MAX_CANONICAL_DEPTH} levels and refuses deeper`, () => {
    expect(canonicalJson(nested(MAX_CANONICAL_DEPTH))).toBe(JSON.stringify(nested(MAX_CANONICAL_DEPTH)));
    expect(canonicalJson(nested(MAX_CANONICAL_DEPTH + 1))).toBeUndefined();
    expect(canonicalJson(nested(100_000))).toBeUndefined();
  });

  it('has a form exactly when JSON.stringify does, and the form parses back to the same value', () => {
    fc.assert(
      fc.property(everything, (value) => {
        const json = plainJson(value);
        const canonical = canonicalJson(value);
        expect(canonical === undefined).toBe(json === undefined);
        if (json !== undefined) expect(JSON.parse(canonical as string)).toEqual(JSON.parse(json));
      }),
      { numRuns: 500 },
    );
  });

  it('is unchanged by a JSON round trip (what lets a signature survive the transport)', () => {
    fc.assert(
      fc.property(everything, (value) => {
        const json = plainJson(value);
        fc.pre(json !== undefined);
        expect(canonicalJson(JSON.parse(json as string))).toBe(canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });
});
