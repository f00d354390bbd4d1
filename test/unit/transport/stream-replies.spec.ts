import { streamReadEntries, wellFormed } from '../../../libs/pubsub/src/transport/redis-streams/stream-replies.js';

const entry = ['1-0', ['m', 'text', 's', 'sig']];

describe('streamReadEntries (XREADGROUP replies)', () => {
  it('reads the RESP2 shape: a list of [key, entries] pairs', () => {
    expect(
      streamReadEntries(
        [
          ['other', [['9-0', []]]],
          ['k', [entry]],
        ],
        'k',
      ),
    ).toEqual([entry]);
  });

  it('reads the RESP3 map as ioredis call() returns it, flattened to [key, entries, ...]', () => {
    expect(streamReadEntries(['k', [entry]], 'k')).toEqual([entry]);
    expect(streamReadEntries(['other', [['9-0', []]], 'k', [entry]], 'k')).toEqual([entry]);
  });

  it('reads the RESP3 map as an object (resp3 reply mapping)', () => {
    expect(streamReadEntries({ k: [entry] }, 'k')).toEqual([entry]);
  });

  it('answers nothing for a timed-out read and never yields an entry without a stream id', () => {
    expect(streamReadEntries(null, 'k')).toEqual([]);
    expect(wellFormed([':', ['x', null], ['1-0', 'fields'], entry, ['2-0', null]])).toEqual([entry, ['2-0', null]]);
  });
});
