import { createHmac, randomBytes } from 'node:crypto';
import { equalInConstantTime, Sha256Mac } from '../../../libs/pubsub/src/security/sha256-mac.js';

const reference = (secret: Buffer, text: string | Uint8Array) =>
  (typeof text === 'string' ? createHmac('sha256', secret).update(text, 'utf8') : createHmac('sha256', secret).update(text)).digest('hex');

// Around the copy limit (64 KiB), where the MAC switches to createHmac, in bytes and in multi-byte characters.
const LIMIT = 64 * 1024;
const texts: [string, string | Uint8Array][] = [
  ['an empty string', ''],
  ['ASCII', 'EVT1 0a1b2c3d4e5f\n{"n":"web-1"}\n[[1,"events"]]'],
  ['multi-byte UTF-8', 'é☃𝄞 '.repeat(300)],
  ['bytes', randomBytes(1_500)],
  ['a view into a larger buffer', randomBytes(3_000).subarray(700, 2_100)],
  ['exactly the copy limit', randomBytes(LIMIT)],
  ['one byte over the copy limit', randomBytes(LIMIT + 1)],
  ['a string whose UTF-8 form crosses the copy limit', 'é'.repeat(LIMIT / 2 + 1)],
  ['a large frame', randomBytes(600_000)],
];

describe('Sha256Mac', () => {
  for (const [keyName, secret] of [
    ['a short key', Buffer.from('bench-secret-key', 'utf8')],
    ['a key of one block', randomBytes(64)],
    ['a key longer than a block (hashed first)', randomBytes(65)],
    ['a long key', randomBytes(300)],
  ] as const) {
    it.each(texts)(`gives createHmac's MAC for %s, with ${keyName}`, (_name, text) => {
      expect(new Sha256Mac(secret).hex(text)).toBe(reference(secret, text));
    });
  }

  it('keeps no state from one call to the next (its outer buffer is reused)', () => {
    const secret = randomBytes(32);
    const mac = new Sha256Mac(secret);
    const [a, b] = [randomBytes(100), 'second'];
    const first = mac.hex(a);
    expect(mac.hex(b)).toBe(reference(secret, b));
    expect(mac.hex(a)).toBe(first);
    expect(first).toBe(reference(secret, a));
  });

  it('compares strings whole: equal ones only, whatever the position of a difference', () => {
    const hex = 'a'.repeat(64);
    expect(equalInConstantTime(hex, 'a'.repeat(64))).toBe(true);
    for (const at of [0, 31, 63]) expect(equalInConstantTime(hex, `${'a'.repeat(at)}b${'a'.repeat(63 - at)}`)).toBe(false);
    expect(equalInConstantTime(hex, 'A'.repeat(64))).toBe(false);
    expect(equalInConstantTime(hex, 'a'.repeat(63))).toBe(false);
    expect(equalInConstantTime('', '')).toBe(true);
  });
});
