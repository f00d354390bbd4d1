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

  it('renders the id of a sequence number again, equal to the one next() gave, in order or not', () => {
    const source = new MessageIdSource();
    const issued: Array<[number, string]> = [];
    for (let i = 0; i < 4_500; i++) {
      const id = source.next();
      issued.push([source.sequence, id]);
    }
    expect(new Set(issued.map(([sequence]) => sequence)).size).toBe(issued.length);
    // In order (a drafted burst's drain), across thousand boundaries, then out of order.
    for (const [sequence, id] of issued) expect(source.idOf(sequence)).toBe(id);
    for (const index of [4_499, 0, 999, 1_000, 2_001, 998, 3_000]) expect(source.idOf(issued[index][0])).toBe(issued[index][1]);
    // Rendering does not move the counter.
    const next = source.next();
    expect(Number(next.slice(next.indexOf('-') + 1))).toBe(4_501);
  });

  it('gives two sources different prefixes', () => {
    expect(new MessageIdSource().next()).not.toBe(new MessageIdSource().next());
  });
});
