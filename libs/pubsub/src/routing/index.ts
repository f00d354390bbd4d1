export { MAX_TOPIC_LENGTH, TOPIC_SEPARATOR, WILDCARD, describeInvalidPattern, isValidPattern, isValidTopic } from './topic-grammar.js';
export { matchSegments, matchTopic } from './match-topic.js';
export { DEFAULT_MAX_CACHED_TOPICS, PatternIndex, type PatternIndexOptions } from './pattern-index.js';
