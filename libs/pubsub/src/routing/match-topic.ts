import { TOPIC_SEPARATOR, WILDCARD, isValidPattern, isValidTopic } from './topic-grammar.js';

/**
 * Whether `pattern` matches `topic`. Invalid input never matches. This is the reference semantics; the
 * pattern index answers the same question for many patterns at once.
 */
export function matchTopic(pattern: string, topic: string): boolean {
  if (!isValidPattern(pattern) || !isValidTopic(topic)) return false;
  return matchSegments(pattern.split(TOPIC_SEPARATOR), topic.split(TOPIC_SEPARATOR));
}

export function matchSegments(pattern: readonly string[], topic: readonly string[]): boolean {
  const last = pattern.length - 1;
  for (let i = 0; i <= last; i++) {
    if (i >= topic.length) return false;
    if (pattern[i] === WILDCARD) {
      if (i === last) return true; // a trailing '*' takes the one or more segments left
      continue;
    }
    if (pattern[i] !== topic[i]) return false;
  }
  return pattern.length === topic.length;
}
