import { describe, expect, it } from '@jest/globals';
import { isThenable, onSettled } from '../../../libs/pubsub/src/delivery/handler-outcome.js';

type Then = (resolve: (value?: unknown) => void, reject: (error: unknown) => void) => void;

function outcomes(then: Then): Array<[boolean, unknown]> {
  const seen: Array<[boolean, unknown]> = [];
  onSettled({ then } as PromiseLike<unknown>, (failed, error) => seen.push([failed, error]));
  return seen;
}

describe('handler outcome (shared by mailboxes and durable subscriptions)', () => {
  it('tells thenables from other return values; a throwing then getter throws to the caller', () => {
    expect(isThenable(Promise.resolve())).toBe(true);
    expect(isThenable({ then: () => undefined })).toBe(true);
    for (const value of [undefined, null, 0, 'then', {}, { then: 1 }]) expect(isThenable(value)).toBe(false);
    const hostile = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('getter');
      },
    });
    expect(() => isThenable(hostile)).toThrow('getter');
  });

  it('reports only the first outcome of a thenable that calls back several times', () => {
    const error = new Error('first');
    expect(
      outcomes((resolve, reject) => {
        reject(error);
        resolve();
        reject(new Error('second'));
      }),
    ).toEqual([[true, error]]);
    expect(
      outcomes((resolve, reject) => {
        resolve();
        reject(new Error('late'));
      }),
    ).toEqual([[false, undefined]]);
  });

  it('a then() that throws is a rejection, unless the thenable settled first', () => {
    const broken = new Error('then broken');
    expect(
      outcomes(() => {
        throw broken;
      }),
    ).toEqual([[true, broken]]);
    expect(
      outcomes((resolve) => {
        resolve();
        throw broken;
      }),
    ).toEqual([[false, undefined]]);
  });

  it('waits for a real promise', async () => {
    const seen: Array<[boolean, unknown]> = [];
    const failure = new Error('rejected');
    onSettled(Promise.reject(failure), (failed, error) => seen.push([failed, error]));
    onSettled(Promise.resolve(1), (failed, error) => seen.push([failed, error]));
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([
      [true, failure],
      [false, undefined],
    ]);
  });
});
