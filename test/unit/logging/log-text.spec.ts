import fc from 'fast-check';
import { escapeLogText, escapeStackText } from '../../../libs/pubsub/src/log-text.js';
import { describeStack } from '../../../libs/pubsub/src/describe-error.js';

const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('log text escaping', () => {
  it('escapes control characters by name or code, and leaves printable text as it is', () => {
    expect(escapeLogText('a\nb\rc\td\u001b[31me\u0000f\u2028g\u202eh')).toBe('a\\nb\\rc\\td\\u001b[31me\\u0000f\\u2028g\\u202eh');
    const plain = 'café ✓ 日本語 "q" \\n 👩‍💻';
    expect(escapeLogText(plain)).toBe(plain);
  });

  it('is idempotent and leaves nothing unsafe, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const once = escapeLogText(text);
        expect(once).not.toMatch(UNSAFE);
        expect(escapeLogText(once)).toBe(once);
        const stack = escapeStackText(text);
        expect(stack.replace(/\n/g, '')).not.toMatch(UNSAFE);
        expect(escapeStackText(stack)).toBe(stack);
      }),
      { numRuns: 2_000 },
    );
  });

  it('a stack keeps its frames on their own lines while the message in its head is escaped', () => {
    const error = new Error('bad\n[Nest] forged\u001b[2J');
    const stack = describeStack(error)!;
    expect(stack.startsWith('Error: bad\\n[Nest] forged\\u001b[2J\n')).toBe(true);
    expect(
      stack
        .split('\n')
        .slice(1)
        .every((line) => /^\s+at /.test(line)),
    ).toBe(true);
    // A stack whose head is not "name: message" (set by a library, say) is searched for the message.
    const wrapped = Object.assign(new Error('x\ny'), { stack: 'Wrapped [x\ny]\n    at f (file.js:1:1)' });
    expect(describeStack(wrapped)).toBe('Wrapped [x\\ny]\n    at f (file.js:1:1)');
    expect(describeStack('not an error')).toBeUndefined();
    expect(describeStack(Object.assign(new Error('m'), { stack: 42 }))).toBeUndefined();
  });
});
