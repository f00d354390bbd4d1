// Types, topics and error texts reach the log from messages, some of them from other nodes: a newline or an
// ANSI escape in them would forge log lines or repaint the terminal. Everything the library logs is escaped
// here; escaping is idempotent (escaped text has no control characters left), so layers may both apply it.

// C0 and C1 controls (newline, carriage return, ESC...), Unicode line and paragraph separators, and the bidi
// overrides that make text display in another order than it reads.
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeCharacter = (character: string): string => NAMED[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One log line's text: every control character escaped (`\n`, `\u001b`...). */
export function escapeLogText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeCharacter) : text;
}

/** A stack: its line breaks are kept, so frames stay readable; every other control character is escaped. */
export function escapeStackText(stack: string): string {
  if (!UNSAFE.test(stack)) return stack;
  return stack.replace(UNSAFE_ALL, (character) => (character === '\n' ? character : escapeCharacter(character)));
}
