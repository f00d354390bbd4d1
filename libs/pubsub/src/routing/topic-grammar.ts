/**
 * Topics are `:`-separated segments. Patterns may use `*` as a whole segment: an inner `*` matches exactly
 * one segment, a trailing `*` one or more (so `subscription_health:*` reaches `subscription_health:s1:sub1`).
 */
export const TOPIC_SEPARATOR = ':';
export const WILDCARD = '*';
export const MAX_TOPIC_LENGTH = 1024;

// Whitespace and control characters are refused so that topics stay printable and log-safe.
const FORBIDDEN_CHARACTER = /[\s\p{Cc}]/u;

function segmentsOf(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOPIC_LENGTH) return undefined;
  if (FORBIDDEN_CHARACTER.test(value)) return undefined;
  const segments = value.split(TOPIC_SEPARATOR);
  for (const segment of segments) if (segment.length === 0) return undefined;
  return segments;
}

export function isValidTopic(topic: unknown): topic is string {
  const segments = segmentsOf(topic);
  return segments !== undefined && !(topic as string).includes(WILDCARD);
}

/**
 * Wildcards of other brokers (MQTT `#` and `+`, NATS `>`, globbing `**`). As segments of a pattern they would
 * be literal text that silently never matches what the subscriber meant, so patterns refuse them.
 */
const FOREIGN_WILDCARDS: ReadonlySet<string> = new Set(['#', '+', '>', '**']);

export function isValidPattern(pattern: unknown): pattern is string {
  const segments = segmentsOf(pattern);
  if (segments === undefined) return false;
  for (const segment of segments) {
    if (segment !== WILDCARD && segment.includes(WILDCARD)) return false;
    if (FOREIGN_WILDCARDS.has(segment)) return false;
  }
  return true;
}

/** Why a pattern is refused, for error messages; undefined when it is valid. */
export function describeInvalidPattern(pattern: unknown): string | undefined {
  if (isValidPattern(pattern)) return undefined;
  if (typeof pattern !== 'string') return `a pattern must be a string, got ${typeof pattern}`;
  if (pattern.length === 0) return 'a pattern must not be empty';
  if (pattern.length > MAX_TOPIC_LENGTH) return `a pattern must be at most ${MAX_TOPIC_LENGTH} characters`;
  if (FORBIDDEN_CHARACTER.test(pattern)) return 'a pattern must not contain whitespace or control characters';
  const segments = pattern.split(TOPIC_SEPARATOR);
  if (segments.some((s) => s.length === 0)) return 'a pattern must not have empty segments';
  const foreign = segments.find((s) => FOREIGN_WILDCARDS.has(s));
  if (foreign !== undefined) {
    return `'${foreign}' is another broker's wildcard; use '*' (a whole segment: inside a pattern it matches one segment, at its end one or more)`;
  }
  return "'*' must be a whole segment";
}
