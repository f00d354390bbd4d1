import { describe, expect, it } from '@jest/globals';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import { DEFAULT_OUTBOUND_TUNING, OutboundQueue, type OutboundSink } from '../../../libs/pubsub/src/transport/outbound-queue.js';
import { FrameCodec } from '../../../libs/pubsub/src/transport/wire-frame.js';

const SECRET = 'outbound-hold-secret';
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let ids = 0;
const message = (type: string): PubSubMessage => ({
  id: `m-${++ids}`,
  channel: 'events',
  topic: 'orders:created',
  type,
  payload: { type },
  timestamp: Date.now(),
  node: 'node-a',
});

/** A queue over a bus that acknowledges every frame at once; `frames` holds the types each frame carried. */
function queue(tuning: Partial<typeof DEFAULT_OUTBOUND_TUNING>) {
  const codec = new FrameCodec('node-a', 'a1b2c3d4e5f6', new PubSubSecurity({ secretKeyBase: SECRET }));
  const reader = new FrameCodec('node-b', 'b1b2c3d4e5f6', new PubSubSecurity({ secretKeyBase: SECRET }));
  const frames: string[][] = [];
  const failed: string[] = [];
  const sink: OutboundSink = {
    canSend: () => true,
    send: async (frame) => {
      const decoded = reader.decode(frame);
      if (!decoded.ok) throw new Error(`undecodable frame: ${decoded.error}`);
      frames.push(decoded.frame.entries.map((entry) => (entry as unknown[])[4] as string));
      return 1;
    },
    sent: () => undefined,
    failed: (m, reason) => void failed.push(`${m.type}: ${reason}`),
    sendError: () => undefined,
  };
  const outbound = new OutboundQueue(codec, sink, { ...DEFAULT_OUTBOUND_TUNING, maxAgeMs: 60_000, maxMessageBytes: 1_048_576, ...tuning });
  return { outbound, frames, failed };
}

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
