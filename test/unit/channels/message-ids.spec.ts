import { MessageIdSource } from '../../../libs/pubsub/src/channels/message-ids.js';

describe('MessageIdSource', () => {
  it('gives distinct ids of one prefix and a decimal counter, across many thousands', () => {
    const source = new MessageIdSource();
    const ids = Array.from({ length: 25_000 }, () => source.next());
    expect(new Set(ids).size).toBe(ids.length);
    const prefix = ids[0].slice(0, ids[0].indexOf('-') + 1);
    expect(prefix).toMatch(/^[0-9a-f]{12}-$/);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}-\d+$/);
    // The counter reads in order: the n-th id carries n.
    expect(ids.map((id) => Number(id.slice(prefix.length)))).toEqual(ids.map((_, i) => i + 1));
  });

  it('gives two sources different prefixes', () => {
    expect(new MessageIdSource().next()).not.toBe(new MessageIdSource().next());
  });
});
