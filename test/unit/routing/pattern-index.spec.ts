import { PatternIndex, matchTopic } from '../../../libs/pubsub/src/routing/index.js';

function indexOf(entries: ReadonlyArray<readonly [string, string]>, maxCachedTopics?: number): PatternIndex<string> {
  const index = new PatternIndex<string>({ maxCachedTopics });
  for (const [pattern, value] of entries) index.add(pattern, value);
  return index;
}

const sorted = (values: readonly string[]): string[] => [...values].sort();

describe('PatternIndex matching', () => {
  const index = indexOf([
    ['subscription_health:*', 'health-any'],
    ['subscription_health:s1', 'health-s1'],
    ['a:*:c', 'inner'],
    ['a:*', 'a-rest'],
    ['a:b:c', 'exact'],
    ['*', 'everything'],
    ['*:*', 'two-or-more'],
  ]);

  it.each([
    ['subscription_health', ['everything']],
    ['subscription_health:s1', ['everything', 'health-any', 'health-s1', 'two-or-more']],
    ['subscription_health:s1:sub1', ['everything', 'health-any', 'two-or-more']],
    ['a:b:c', ['a-rest', 'everything', 'exact', 'inner', 'two-or-more']],
    ['a:b:x:c', ['a-rest', 'everything', 'two-or-more']],
    ['a:x:c', ['a-rest', 'everything', 'inner', 'two-or-more']],
    ['a', ['everything']],
    ['b:c', ['everything', 'two-or-more']],
  ])('matches %j with the values of every matching pattern', (topic, expected) => {
    expect(sorted(index.match(topic))).toEqual(expected);
  });

  it('returns nothing for an invalid topic', () => {
    expect(index.match('a:*')).toEqual([]);
    expect(index.match('a::b')).toEqual([]);
    expect(index.match('')).toEqual([]);
  });

  it('returns a value reachable through several of its patterns once', () => {
    const shared = indexOf([
      ['a:*', 'v'],
      ['a:b', 'v'],
      ['*', 'v'],
      ['a:b', 'w'],
    ]);
    expect(sorted(shared.match('a:b'))).toEqual(['v', 'w']);
    expect(shared.size).toBe(4);
  });

  it('refuses an invalid pattern instead of storing an entry that never matches', () => {
    const empty = new PatternIndex<string>();
    expect(() => empty.add('a*', 'v')).toThrow(RangeError);
    expect(() => empty.add('a::b', 'v')).toThrow('Invalid topic pattern "a::b": a pattern must not have empty segments');
    expect(empty.size).toBe(0);
  });
});

describe('PatternIndex entries', () => {
  it('ignores a repeated (pattern, value) pair', () => {
    const index = indexOf([
      ['a:*', 'v'],
      ['a:*', 'v'],
    ]);
    expect(index.size).toBe(1);
    index.remove('a:*', 'v');
    expect(index.size).toBe(0);
    expect(index.match('a:b')).toEqual([]);
  });

  it('keeps many values under one pattern, beyond the size where its bucket becomes a Set', () => {
    const index = new PatternIndex<number>();
    for (let value = 0; value < 20; value++) index.add('*', value);
    index.add('*', 3);
    for (let value = 0; value < 20; value += 2) index.remove('*', value);
    expect(index.size).toBe(10);
    expect(index.match('x')).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  it('treats removing an absent pair as a no-op', () => {
    const index = indexOf([['a:b:c', 'v']]);
    index.remove('a:b:c', 'other');
    index.remove('a:b', 'v');
    index.remove('a:b:c:d', 'v');
    index.remove('a:*', 'v');
    index.remove('a:*:c', 'v');
    expect(index.size).toBe(1);
    expect(index.match('a:b:c')).toEqual(['v']);
  });

  it('prunes the nodes a removed pattern alone was using', () => {
    const index = indexOf([
      ['a:b', 'short'],
      ['a:b:c:d', 'long'],
      ['a:*:x:*', 'wild'],
    ]);
    const nodesBeforeLongAndWild = indexOf([['a:b', 'short']]).nodeCount;
    index.remove('a:b:c:d', 'long');
    index.remove('a:*:x:*', 'wild');
    expect(index.nodeCount).toBe(nodesBeforeLongAndWild);
    expect(index.match('a:b')).toEqual(['short']);
    index.remove('a:b', 'short');
    expect(index.nodeCount).toBe(0);
  });

  it('empties on clear and can be reused', () => {
    const index = indexOf([
      ['a', 'v'],
      ['*', 'w'],
    ]);
    expect(index.match('a')).toHaveLength(2);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.nodeCount).toBe(0);
    expect(index.match('a')).toEqual([]);
    index.add('a', 'x');
    expect(index.match('a')).toEqual(['x']);
  });
});

describe('PatternIndex result cache', () => {
  it('shares one frozen result for repeated matches of a topic', () => {
    const index = indexOf([['a:*', 'v']]);
    const first = index.match('a:b');
    expect(index.match('a:b')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(index.match('nothing:matches'))).toBe(true);
  });

  it('is invalidated by add and by remove', () => {
    const index = indexOf([['a:*', 'v']]);
    expect(index.match('a:b')).toEqual(['v']);
    index.add('a:b', 'w');
    expect(sorted(index.match('a:b'))).toEqual(['v', 'w']);
    index.remove('a:*', 'v');
    expect(index.match('a:b')).toEqual(['w']);
    index.clear();
    expect(index.match('a:b')).toEqual([]);
  });

  it('evicts the oldest topic when full', () => {
    const index = indexOf([['*', 'v']], 2);
    const first = index.match('t1');
    const second = index.match('t2');
    index.match('t3');
    expect(index.match('t2')).toBe(second);
    const recomputed = index.match('t1');
    expect(recomputed).not.toBe(first);
    expect(recomputed).toEqual(first);
  });

  it('can be disabled', () => {
    const index = indexOf([['*', 'v']], 0);
    const first = index.match('t');
    expect(index.match('t')).not.toBe(first);
    expect(index.match('t')).toEqual(['v']);
  });
});

describe('PatternIndex at scale', () => {
  // A fixed-seed generator (mulberry32) keeps this test reproducible while covering many shapes of pattern.
  function seededRandom(seed: number): (bound: number) => number {
    let state = seed;
    return (bound) => {
      state = (state + 0x6d2b79f5) | 0;
      let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
      mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed);
      return ((mixed ^ (mixed >>> 14)) >>> 0) % bound;
    };
  }

  it('agrees with testing every pattern, for 10,000 patterns', () => {
    const next = seededRandom(7);
    const segment = (level: number): string => `s${level}_${next(12)}`;
    const patterns = new Set<string>();
    while (patterns.size < 10_000) {
      const depth = 1 + next(4);
      const segments = Array.from({ length: depth }, (_, level) => (next(8) === 0 ? '*' : segment(level)));
      patterns.add(segments.join(':'));
    }
    const index = new PatternIndex<string>();
    for (const pattern of patterns) index.add(pattern, pattern);
    const topics = Array.from({ length: 60 }, () => Array.from({ length: 1 + next(5) }, (_, level) => segment(level)).join(':'));
    let matchesSeen = 0;
    for (const topic of topics) {
      const expected = [...patterns].filter((pattern) => matchTopic(pattern, topic));
      matchesSeen += expected.length;
      expect(sorted(index.match(topic))).toEqual(expected.sort());
    }
    expect(matchesSeen).toBeGreaterThan(topics.length);
  });
});
