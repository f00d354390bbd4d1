import { describe, expect, it } from '@jest/globals';
import { acknowledgingQueue, nextTurn, sleep, message } from './support/acknowledging-queue.js';

const SECRET = 'outbound-queue-secret';
const queue = (tuning: Parameters<typeof acknowledgingQueue>[1] = {}) => acknowledgingQueue(SECRET, tuning);

describe('OutboundQueue frame pacing', () => {
  it('sends a quiet sender’s message at the end of its turn, without waiting for the frame interval', async () => {
    const { outbound, frames } = queue({ minFrameIntervalMs: 10_000 });
    outbound.offer(message('first'));
    await nextTurn();
    await nextTurn();
    expect(frames).toEqual([['first']]);
  });

  it('holds partial batches published in later turns until the frame interval has passed, then sends them in one frame', async () => {
    const { outbound, frames, failed } = queue({ minFrameIntervalMs: 200 });
    outbound.offer(message('a'));
    await nextTurn();
    await nextTurn(); // 'a' is sent and acknowledged
    for (const type of ['b', 'c', 'd']) {
      outbound.offer(message(type));
      await nextTurn();
      await nextTurn();
    }
    expect(frames).toEqual([['a']]); // each turn's message would have been a frame of its own without the interval
    expect(await outbound.settle(5_000)).toBe(true);
    expect(frames).toEqual([['a'], ['b', 'c', 'd']]);
    expect(failed).toEqual([]);
  });

  it('does not hold full batches back for the interval', async () => {
    const { outbound, frames } = queue({ minFrameIntervalMs: 10_000, maxBatchMessages: 3 });
    outbound.offer(message('a'));
    await nextTurn();
    await nextTurn();
    for (const type of ['b', 'c', 'd', 'e', 'f', 'g']) outbound.offer(message(type));
    await nextTurn();
    await nextTurn();
    expect(frames).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g']]);
  });

  it('lets a partial batch go once the interval after the last frame is over, with no further publication', async () => {
    const { outbound, frames } = queue({ minFrameIntervalMs: 30 });
    outbound.offer(message('a'));
    await nextTurn();
    await nextTurn();
    outbound.offer(message('b'));
    await sleep(1_000); // generous: the interval is 30 ms
    expect(frames).toEqual([['a'], ['b']]);
  });

  it('by default sends each turn’s partial batch once the previous frame is acknowledged (no pacing delay)', async () => {
    const { outbound, frames } = queue();
    for (let turn = 0; turn < 5; turn++) {
      outbound.offer(message(`m${turn}`));
      await nextTurn();
      await nextTurn();
    }
    expect(frames).toEqual([['m0'], ['m1'], ['m2'], ['m3'], ['m4']]);
  });
});

describe('OutboundQueue.unsent (what a first durable group’s seeding must account for)', () => {
  it('lists a channel’s messages the bus has not taken, waiting or in flight, and none once they are acknowledged', async () => {
    let answer = () => {};
    const { outbound, frames } = acknowledgingQueue(SECRET, {}, new Promise<void>((resolve) => (answer = resolve)));
    outbound.offer(message('one'));
    outbound.offer(message('two'));
    outbound.offer({ ...message('elsewhere'), channel: 'audit' });
    expect(outbound.unsent('events').map((m) => m.type)).toEqual(['one', 'two']);
    expect(outbound.unsent('audit').map((m) => m.type)).toEqual(['elsewhere']);
    await nextTurn(); // the frame leaves at the end of the turn: in flight until its answer
    expect(frames.flat()).toEqual(['one', 'two', 'elsewhere']); // sent, not answered yet
    expect(outbound.unsent('events').map((m) => m.type)).toEqual(['one', 'two']);
    answer();
    await nextTurn();
    expect(frames.flat()).toEqual(['one', 'two', 'elsewhere']);
    expect(outbound.unsent('events')).toEqual([]);
  });
});
