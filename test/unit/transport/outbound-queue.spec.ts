import { describe, expect, it } from '@jest/globals';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import { DEFAULT_OUTBOUND_TUNING, OutboundQueue, type OutboundSink } from '../../../libs/pubsub/src/transport/outbound-queue.js';
import { FrameCodec } from '../../../libs/pubsub/src/transport/wire-frame.js';

const SECRET = 'outbound-queue-secret';
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
function queue(tuning: Partial<typeof DEFAULT_OUTBOUND_TUNING> = {}) {
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
  const outbound = new OutboundQueue(codec, sink, {
    ...DEFAULT_OUTBOUND_TUNING,
    maxAgeMs: 60_000,
    maxMessageBytes: 1_048_576,
    ...tuning,
  });
  return { outbound, frames, failed };
}

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
