import { PatternIndex } from '../../../libs/pubsub/src/routing/pattern-index.js';

function indexOf(entries: [string, string][]): PatternIndex<string> {
  const index = new PatternIndex<string>();
  for (const [pattern, value] of entries) index.add(pattern, value);
  return index;
}

describe('PatternIndex routes (the publish path)', () => {
  it('holds what match finds, as one shared plain array per topic (frozen arrays are slow to walk in V8)', () => {
    const index = indexOf([
      ['a:*', 'v'],
      ['a:b', 'w'],
    ]);
    const route = index.route('a:b');
    expect([...route].sort()).toEqual([...index.match('a:b')].sort());
    expect(index.route('a:b')).toBe(route);
    expect(index.cached('a:b')).toBe(route);
    expect(Object.isFrozen(route)).toBe(false);
    expect(Object.isFrozen(index.match('a:b'))).toBe(true);
    expect(index.route('nothing:here')).toEqual([]);
    expect(index.route('not a topic')).toEqual([]);
  });

  it('keeps match results frozen and shared while the route behind them is cached', () => {
    const index = indexOf([['a:*', 'v']]);
    const first = index.match('a:b');
    expect(index.route('a:b')).not.toBe(first);
    expect(index.match('a:b')).toBe(first);
  });

  it('are computed anew after add and remove, and the match results with them', () => {
    const index = indexOf([['a:*', 'v']]);
    const before = index.route('a:b');
    const matchedBefore = index.match('a:b');
    index.add('a:b', 'w');
    expect([...index.route('a:b')].sort()).toEqual(['v', 'w']);
    expect([...index.match('a:b')].sort()).toEqual(['v', 'w']);
    expect(before).toEqual(['v']);
    expect(matchedBefore).toEqual(['v']);
    index.remove('a:*', 'v');
    expect(index.route('a:b')).toEqual(['w']);
    expect(index.match('a:b')).toEqual(['w']);
  });

  it('answer a repeated topic from the one computed last, and from the cache once another was computed', () => {
    const index = new PatternIndex<string>({ maxCachedTopics: 2 });
    index.add('a:*', 'v');
    const ab = index.route('a:b');
    expect(index.cached('a:b')).toBe(ab);
    const ac = index.route('a:c');
    expect(index.cached('a:b')).toBe(ab);
    expect(index.cached('a:c')).toBe(ac);
    // Evicted from the full cache, a topic is computed again, and the latest still answers.
    index.route('a:d');
    expect(index.cached('a:b')).toBeUndefined();
    expect(index.cached('a:d')).toEqual(['v']);
    index.add('a:d', 'w');
    expect(index.cached('a:d')).toBeUndefined();
    expect([...index.route('a:d')].sort()).toEqual(['v', 'w']);
    index.remove('a:*', 'v');
    expect(index.cached('a:d')).toBeUndefined();
    expect(index.route('a:d')).toEqual(['w']);
    index.clear();
    expect(index.cached('a:d')).toBeUndefined();
    expect(index.route('a:d')).toEqual([]);
  });

  it('work without the cache (maxCachedTopics 0)', () => {
    const index = new PatternIndex<string>({ maxCachedTopics: 0 });
    index.add('a:*', 'v');
    expect(index.route('a:b')).toEqual(['v']);
    expect(index.cached('a:b')).toBeUndefined();
    expect(Object.isFrozen(index.match('a:b'))).toBe(true);
  });
});
