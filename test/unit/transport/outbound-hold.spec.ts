import { describe, expect, it } from '@jest/globals';
import type { OutboundQueue } from '../../../libs/pubsub/src/transport/outbound-queue.js';
import { acknowledgingQueue, nextTurn, sleep, message } from './support/acknowledging-queue.js';

const SECRET = 'outbound-hold-secret';
const queue = (tuning: Parameters<typeof acknowledgingQueue>[1] = {}) => acknowledgingQueue(SECRET, tuning);

/** One publishing turn: the message is offered, then the turn ends and the acknowledgement of any frame arrives. */
async function publishTurn(outbound: OutboundQueue, type: string): Promise<void> {
  outbound.offer(message(type));
  await nextTurn();
  await nextTurn();
}

describe('OutboundQueue holding a partial frame for the next publishing turn (holdPartialFrameMs)', () => {
  it('is off by default: every turn of a steady publisher is a frame of its own', async () => {
    const { outbound, frames } = queue({});
    for (const type of ['m0', 'm1', 'm2', 'm3']) await publishTurn(outbound, type);
    expect(frames).toEqual([['m0'], ['m1'], ['m2'], ['m3']]);
  });

  it('sends a steady publisher’s turns two to a frame, the held one leaving at the end of the next publishing turn', async () => {
    // The hold's own timer (10 s) never fires here: every held batch leaves with the next turn's message.
    const { outbound, frames, failed } = queue({ holdPartialFrameMs: 10_000 });
    await publishTurn(outbound, 'm0');
    expect(frames).toEqual([['m0']]); // the first frame after a quiet spell leaves at once
    await publishTurn(outbound, 'm1');
    expect(frames).toEqual([['m0']]); // m1 follows the last frame closely: held
    await publishTurn(outbound, 'm2');
    expect(frames).toEqual([['m0'], ['m1', 'm2']]);
    await publishTurn(outbound, 'm3');
    await publishTurn(outbound, 'm4');
    expect(frames).toEqual([['m0'], ['m1', 'm2'], ['m3', 'm4']]);
    expect(failed).toEqual([]);
  });

  it('lets a held batch go by its timer when nothing more is published', async () => {
    const { outbound, frames } = queue({ holdPartialFrameMs: 30 });
    await publishTurn(outbound, 'a');
    await publishTurn(outbound, 'b');
    expect(frames).toEqual([['a']]);
    await sleep(1_000); // generous: the hold is 30 ms
    expect(frames).toEqual([['a'], ['b']]);
    expect(outbound.size).toBe(0);
  });

  it('never holds a sender quieter than the hold, nor a full batch', async () => {
    const quiet = queue({ holdPartialFrameMs: 20 });
    await publishTurn(quiet.outbound, 'a');
    await sleep(100);
    await publishTurn(quiet.outbound, 'b');
    expect(quiet.frames).toEqual([['a'], ['b']]);

    const busy = queue({ holdPartialFrameMs: 10_000, maxBatchMessages: 3 });
    await publishTurn(busy.outbound, 'a');
    for (const type of ['b', 'c', 'd']) busy.outbound.offer(message(type));
    await nextTurn();
    await nextTurn();
    expect(busy.frames).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('settles and abandons with a batch held', async () => {
    const settling = queue({ holdPartialFrameMs: 10_000 });
    await publishTurn(settling.outbound, 'a');
    await publishTurn(settling.outbound, 'b');
    expect(await settling.outbound.settle(5_000)).toBe(true); // settling is a flush: the held batch goes
    expect(settling.frames).toEqual([['a'], ['b']]);

    const abandoned = queue({ holdPartialFrameMs: 10_000 });
    await publishTurn(abandoned.outbound, 'a');
    await publishTurn(abandoned.outbound, 'b');
    abandoned.outbound.abandon('closing');
    expect(abandoned.failed).toEqual(['b: closing']);
    await sleep(50);
    expect(abandoned.frames).toEqual([['a']]);
  });
});
