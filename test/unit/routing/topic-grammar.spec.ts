import {
  MAX_TOPIC_LENGTH,
  describeInvalidPattern,
  isValidPattern,
  isValidTopic,
  matchTopic,
} from '../../../libs/pubsub/src/routing/index.js';

const longestTopic = 'a'.repeat(MAX_TOPIC_LENGTH);
const tooLongTopic = 'a'.repeat(MAX_TOPIC_LENGTH + 1);

describe('isValidTopic', () => {
  it.each(['a', 'subscription_health:production_store:user_projection', 'café:日本語:Ωmega', 'orders.v2:eu-west-1:#42', longestTopic])(
    'accepts %j',
    (topic) => {
      expect(isValidTopic(topic)).toBe(true);
    },
  );

  it.each([
    ['empty', ''],
    ['too long', tooLongTopic],
    ['an empty inner segment', 'a::b'],
    ['a leading separator', ':a'],
    ['a trailing separator', 'a:'],
    ['only a separator', ':'],
    ['a wildcard segment', 'a:*'],
    ['a wildcard inside a segment', 'a*'],
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['a newline', 'a\n'],
    ['a no-break space', 'a\u00a0b'],
    ['a line separator', 'a\u2028b'],
    ['a NUL', 'a\u0000b'],
    ['a DEL', 'a\u007fb'],
    ['an escape', '\u001b[31m'],
  ])('refuses %s', (_reason, topic) => {
    expect(isValidTopic(topic)).toBe(false);
  });

  it.each([undefined, null, 42, {}, ['a']])('refuses the non-string %j', (value) => {
    expect(isValidTopic(value)).toBe(false);
  });
});

describe('isValidPattern', () => {
  it.each(['*', 'a', 'a:*', '*:b', 'a:*:c', '*:*', 'café:*', longestTopic])('accepts %j', (pattern) => {
    expect(isValidPattern(pattern)).toBe(true);
  });

  it.each([
    ['empty', '', 'a pattern must not be empty'],
    ['too long', tooLongTopic, 'a pattern must be at most 1024 characters'],
    ['an empty segment', 'a::*', 'a pattern must not have empty segments'],
    ['a trailing separator', '*:', 'a pattern must not have empty segments'],
    ['a wildcard inside a segment', 'a*', "'*' must be a whole segment"],
    [
      'a double wildcard',
      'a:**',
      "'**' is another broker's wildcard; use '*' (a whole segment: inside a pattern it matches one segment, at its end one or more)",
    ],
    [
      'an MQTT multi-level wildcard',
      'a:#',
      "'#' is another broker's wildcard; use '*' (a whole segment: inside a pattern it matches one segment, at its end one or more)",
    ],
    [
      'an MQTT single-level wildcard',
      'a:+:c',
      "'+' is another broker's wildcard; use '*' (a whole segment: inside a pattern it matches one segment, at its end one or more)",
    ],
    [
      'a NATS tail wildcard',
      '>',
      "'>' is another broker's wildcard; use '*' (a whole segment: inside a pattern it matches one segment, at its end one or more)",
    ],
    ['whitespace', 'a: *', 'a pattern must not contain whitespace or control characters'],
    ['a control character', '*\u0007', 'a pattern must not contain whitespace or control characters'],
  ])('refuses %s and says why', (_reason, pattern, why) => {
    expect(isValidPattern(pattern)).toBe(false);
    expect(describeInvalidPattern(pattern)).toBe(why);
  });

  it('describes a non-string pattern and has nothing to say about a valid one', () => {
    expect(describeInvalidPattern(7)).toBe('a pattern must be a string, got number');
    expect(describeInvalidPattern('a:*')).toBeUndefined();
  });
});

describe('matchTopic', () => {
  it.each([
    ['subscription_health:*', 'subscription_health:s1', true],
    ['subscription_health:*', 'subscription_health:s1:sub1', true],
    ['subscription_health:*', 'subscription_health', false],
    ['a:*:c', 'a:b:c', true],
    ['a:*:c', 'a:b:x:c', false],
    ['a:*:c', 'a:c', false],
    ['*', 'a', true],
    ['*', 'a:b:c:d', true],
    ['*:*', 'a', false],
    ['*:*', 'a:b:c', true],
    ['a:b', 'a:b', true],
    ['a:b', 'a:b:c', false],
    ['a:b:c', 'a:b', false],
    ['a', 'ab', false],
    ['café:*', 'café:日本', true],
  ])('%j against %j is %s', (pattern, topic, expected) => {
    expect(matchTopic(pattern, topic)).toBe(expected);
  });

  it.each([
    ['a wildcard in the topic', 'a:*', 'a:*'],
    ['a wildcard inside a pattern segment', 'a*', 'ab'],
    ['an empty pattern and topic', '', ''],
    ['an empty topic', '*', ''],
    ['an empty topic segment', '*', 'a::b'],
    ['empty segments on both sides', 'a::b', 'a::b'],
    ['a topic over the length limit', '*', tooLongTopic],
  ])('is false for %s', (_reason, pattern, topic) => {
    expect(matchTopic(pattern, topic)).toBe(false);
  });

  it('is false and does not throw for non-string input', () => {
    const untyped = matchTopic as (pattern: unknown, topic: unknown) => boolean;
    expect(untyped(undefined, 'a')).toBe(false);
    expect(untyped('*', null)).toBe(false);
    expect(untyped({ split: () => ['*'] }, 'a')).toBe(false);
  });
});
