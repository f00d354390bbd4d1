import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';

/**
 * Normalises the `secretKeyBase` option into the list of keys, the signing key first. Empty strings and an
 * empty list mean "no secret" (unset environment variables often arrive as ''), and a key listed twice is
 * kept once. Anything that is not a string is a configuration mistake, reported at start-up.
 */
export function normaliseSecretKeys(secretKeyBase: unknown): string[] {
  if (secretKeyBase === undefined || secretKeyBase === null) return [];
  const entries: readonly unknown[] = Array.isArray(secretKeyBase) ? secretKeyBase : [secretKeyBase];
  const keys: string[] = [];
  entries.forEach((entry, index) => {
    if (typeof entry !== 'string') {
      const where = Array.isArray(secretKeyBase) ? `secretKeyBase[${index}]` : 'secretKeyBase';
      throw new PubSubError('invalid_option', ERRORS.secretKeyNotText(where, describeType(entry)));
    }
    if (entry.length > 0 && !keys.includes(entry)) keys.push(entry);
  });
  return keys;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
