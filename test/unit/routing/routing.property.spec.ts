import fc from 'fast-check';
import { PatternIndex, isValidPattern, isValidTopic, matchTopic } from '../../../libs/pubsub/src/routing/index.js';

// Few distinct segments, so that random patterns and topics actually match each other often.
const topicSegment = fc.constantFrom('a', 'b', 'c');
const patternSegment = fc.constantFrom('a', 'b', 'c', '*');
const joined = (segment: fc.Arbitrary<string>, maxLength: number): fc.Arbitrary<string> =>
  fc.array(segment, { minLength: 1, maxLength }).map((segments) => segments.join(':'));
const topic = joined(topicSegment, 4);
const pattern = joined(patternSegment, 4);

/** Written from the specification alone, as a regular expression, to check the segment-walking matcher. */
function referenceMatch(pattern: string, topic: string): boolean {
  const segments = pattern.split(':');
  const source = segments
    .map((segment, position) => {
      if (segment !== '*') return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return position === segments.length - 1 ? '[^:]+(?::[^:]+)*' : '[^:]+';
    })
    .join(':');
  return new RegExp(`^${source}$`, 'u').test(topic);
}

/** The grammar as one regular expression per kind, independent of the split-based validator. */
function referenceValidity(value: string, wildcards: boolean): boolean {
  const segment = wildcards ? '(?:\\*|[^\\s\\p{Cc}:*]+)' : '[^\\s\\p{Cc}:*]+';
  return value.length <= 1024 && new RegExp(`^${segment}(?::${segment})*$`, 'u').test(value);
}

// Strings that are often almost valid: the grammar's special characters mixed with ordinary ones.
const roughString = fc.string({
  unit: fc.constantFrom('a', 'é', ':', '*', ' ', '\t', '\u0000', '\u2028', 'x'),
  maxLength: 8,
});

describe('matchTopic, property-based', () => {
  it('agrees with a regular-expression reference on valid input, and both outcomes occur', () => {
    const outcomes = { matched: 0, unmatched: 0 };
    fc.assert(
      fc.property(pattern, topic, (pattern, topic) => {
        const matched = matchTopic(pattern, topic);
        outcomes[matched ? 'matched' : 'unmatched']++;
        expect(matched).toBe(referenceMatch(pattern, topic));
      }),
      { numRuns: 2_000 },
    );
    expect(outcomes.matched).toBeGreaterThan(100);
    expect(outcomes.unmatched).toBeGreaterThan(100);
  });

  it('validates like the reference grammar, and never matches or throws on invalid input', () => {
    const validity = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(roughString, roughString, (pattern, topic) => {
        const validPattern = referenceValidity(pattern, true);
        const validTopic = referenceValidity(topic, false);
        validity[validPattern ? 'valid' : 'invalid']++;
        expect(isValidPattern(pattern)).toBe(validPattern);
        expect(isValidTopic(topic)).toBe(validTopic);
        if (!validPattern || !validTopic) expect(matchTopic(pattern, topic)).toBe(false);
        else expect(matchTopic(pattern, topic)).toBe(referenceMatch(pattern, topic));
      }),
      { numRuns: 2_000 },
    );
    expect(validity.valid).toBeGreaterThan(50);
    expect(validity.invalid).toBeGreaterThan(50);
  });
});

type Operation =
  | { kind: 'add'; pattern: string; value: string }
  | { kind: 'remove'; pattern: string; value: string }
  | { kind: 'removeExisting'; pick: number }
  | { kind: 'match'; topic: string };

// Shorter patterns over fewer segments than above, so that removals often hit an existing entry.
const indexPattern = joined(fc.constantFrom('a', 'b', '*'), 3);
const indexTopic = joined(fc.constantFrom('a', 'b'), 3);
const value = fc.constantFrom('v0', 'v1', 'v2', 'v3');
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), pattern: indexPattern, value }),
  fc.record({ kind: fc.constant('remove' as const), pattern: indexPattern, value }),
  fc.record({ kind: fc.constant('removeExisting' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('match' as const), topic: indexTopic }),
  fc.record({ kind: fc.constant('match' as const), topic: indexTopic }),
);

/** The index as a plain list of entries, answering by testing every pattern. */
class NaiveIndex {
  readonly entries: Array<{ pattern: string; value: string }> = [];

  add(pattern: string, value: string): void {
    if (this.position(pattern, value) < 0) this.entries.push({ pattern, value });
  }

  remove(pattern: string, value: string): void {
    const position = this.position(pattern, value);
    if (position >= 0) this.entries.splice(position, 1);
  }

  match(topic: string): string[] {
    const values = this.entries.filter((entry) => matchTopic(entry.pattern, topic)).map((entry) => entry.value);
    return [...new Set(values)].sort();
  }

  private position(pattern: string, value: string): number {
    return this.entries.findIndex((entry) => entry.pattern === pattern && entry.value === value);
  }
}

describe('PatternIndex, model-based', () => {
  it('matches like testing every pattern across random add/remove/match sequences, and empties fully', () => {
    // Counts repeated matches of a topic whose answer changed in between: a stale cache would fail them.
    let answersChangedSincePreviousMatch = 0;
    let nonEmptyMatches = 0;
    fc.assert(
      fc.property(
        fc.array(operation, { minLength: 10, maxLength: 80, size: 'medium' }),
        fc.constantFrom(undefined, 0, 2),
        (operations, maxCachedTopics) => {
          const index = new PatternIndex<string>({ maxCachedTopics });
          const model = new NaiveIndex();
          const previousAnswers = new Map<string, string>();
          for (const step of operations) {
            if (step.kind === 'add') {
              index.add(step.pattern, step.value);
              model.add(step.pattern, step.value);
            } else if (step.kind === 'remove') {
              index.remove(step.pattern, step.value);
              model.remove(step.pattern, step.value);
            } else if (step.kind === 'removeExisting') {
              if (model.entries.length === 0) continue;
              const { pattern, value } = model.entries[step.pick % model.entries.length];
              index.remove(pattern, value);
              model.remove(pattern, value);
            } else {
              const result = index.match(step.topic);
              const expected = model.match(step.topic);
              expect(result).toHaveLength(new Set(result).size);
              expect([...result].sort()).toEqual(expected);
              expect(Object.isFrozen(result)).toBe(true);
              const answer = expected.join(',');
              const previous = previousAnswers.get(step.topic);
              if (previous !== undefined && previous !== answer) answersChangedSincePreviousMatch++;
              if (expected.length > 0) nonEmptyMatches++;
              previousAnswers.set(step.topic, answer);
            }
            expect(index.size).toBe(model.entries.length);
          }

          for (const { pattern, value } of [...model.entries]) index.remove(pattern, value);
          expect(index.size).toBe(0);
          expect(index.nodeCount).toBe(0);
          for (const topic of previousAnswers.keys()) expect(index.match(topic)).toEqual([]);
          expect(index.match('a')).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
    expect(answersChangedSincePreviousMatch).toBeGreaterThan(100);
    expect(nonEmptyMatches).toBeGreaterThan(500);
  });
});
