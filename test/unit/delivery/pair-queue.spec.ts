import { PairQueue } from '../../../libs/pubsub/src/delivery/pair-queue.js';

function drain(queue: PairQueue<number, string>, max = Number.POSITIVE_INFINITY): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  while (out.length < max) {
    const first = queue.peekFirst();
    if (first === undefined) break;
    out.push([first, queue.peekSecond()]);
    queue.shift();
  }
  return out;
}

describe('PairQueue', () => {
  it('keeps pairs in order across many chunks, and is empty after them', () => {
    const queue = new PairQueue<number, string>();
    for (let i = 0; i < 5_000; i++) queue.push(i, `s${i}`);
    expect(queue.length).toBe(5_000);
    const out = drain(queue);
    expect(out).toEqual(Array.from({ length: 5_000 }, (_, i) => [i, `s${i}`]));
    expect(queue.length).toBe(0);
    expect(queue.peekFirst()).toBeUndefined();
  });

  it('stays in order when pushes and shifts interleave across chunk boundaries', () => {
    const queue = new PairQueue<number, string>();
    const expected: number[] = [];
    const seen: number[] = [];
    let next = 0;
    for (let round = 0; round < 40; round++) {
      const pushes = (round * 397) % 1500;
      for (let i = 0; i < pushes; i++) {
        expected.push(next);
        queue.push(next, `s${next++}`);
      }
      for (const [first, second] of drain(queue, (round * 211) % 1300)) {
        expect(second).toBe(`s${first}`);
        seen.push(first);
      }
      expect(queue.length).toBe(expected.length - seen.length);
    }
    for (const [first] of drain(queue)) seen.push(first);
    expect(seen).toEqual(expected);
  });

  it('clear forgets everything, a shift of the emptied queue changes nothing, and the queue works again afterwards', () => {
    const queue = new PairQueue<number, string>();
    for (let i = 0; i < 3_000; i++) queue.push(i, 'x');
    queue.clear();
    expect(queue.length).toBe(0);
    expect(queue.peekFirst()).toBeUndefined();
    queue.shift();
    expect(queue.length).toBe(0);
    queue.push(7, 'seven');
    expect(drain(queue)).toEqual([[7, 'seven']]);
  });
});
