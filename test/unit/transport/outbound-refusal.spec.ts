import { describe, expect, it } from '@jest/globals';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import {
  DEFAULT_OUTBOUND_TUNING,
  OutboundQueue,
  type OutboundSink,
  type SendRefusal,
} from '../../../libs/pubsub/src/transport/outbound-queue.js';
import { FrameCodec } from '../../../libs/pubsub/src/transport/wire-frame.js';

const SECRET = 'outbound-refusal-secret';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let ids = 0;
const message = (n: number): PubSubMessage => ({
  id: `m-${++ids}`,
  channel: 'audit',
  topic: 'audit:record',
  type: 'recorded',
  payload: { n },
  timestamp: Date.now(),
  node: 'node-a',
});

/**
 * A bus like the stream gate's script: frames are answered in order after a delay; the frames listed in
 * `refuse` (by send count) are refused, and so is every later frame until the queue announces its re-send
 * (a new generation), as Redis does with a publisher's pipeline.
 */
function gatedQueue(refuse: number[], waitMs = 0) {
  const codec = new FrameCodec('node-a', 'a1b2c3d4e5f6', new PubSubSecurity({ secretKeyBase: SECRET }));
  const reader = new FrameCodec('node-b', 'b1b2c3d4e5f6', new PubSubSecurity({ secretKeyBase: SECRET }));
  const accepted: number[] = [];
  const events: string[] = [];
  let sends = 0;
  let refusedGeneration = -1;
  let generation = 0;
  const sink: OutboundSink = {
    canSend: () => true,
    send: async (frame): Promise<number | SendRefusal> => {
      const sentIn = generation;
      const index = sends++;
      await sleep(2);
      if (refusedGeneration >= sentIn) return { refused: 'stale', waitMs: 0 };
      if (refuse.includes(index)) {
        refusedGeneration = sentIn;
        return { refused: 'seeding', waitMs };
      }
      const decoded = reader.decode(frame);
      if (!decoded.ok) throw new Error(decoded.error);
      for (const entry of decoded.frame.entries) accepted.push(((entry as unknown[])[6] as { n: number }).n);
      return 1;
    },
    sent: () => undefined,
    failed: (m, reason) => void events.push(`failed ${String(m.payload)}: ${reason}`),
    sendError: () => undefined,
    refused: (messages, reason) => void events.push(`refused ${reason}`),
    resending: () => {
      generation++;
      events.push('resending');
    },
  };
  const outbound = new OutboundQueue(codec, sink, {
    ...DEFAULT_OUTBOUND_TUNING,
    maxBatchMessages: 10,
    maxAgeMs: 60_000,
    maxMessageBytes: 1_048_576,
  });
  return { outbound, accepted, events };
}

describe('OutboundQueue after a refused frame (the stream gate)', () => {
  it('re-sends the refused frame and every frame refused after it, in order, once nothing is in flight: nothing lost or doubled', async () => {
    const { outbound, accepted, events } = gatedQueue([3, 40]);
    for (let n = 0; n < 300; n++) expect(outbound.offer(message(n))).toBeUndefined();
    expect(await outbound.settle(5_000)).toBe(true);
    expect(accepted).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(events.filter((e) => e === 'resending')).toHaveLength(2);
    expect(events.filter((e) => e.startsWith('failed'))).toEqual([]);
    expect(events).toContain('refused seeding');
    expect(events).toContain('refused stale');
  });

  it('waits the refusal’s waitMs before re-sending, and sends nothing new meanwhile', async () => {
    const { outbound, accepted } = gatedQueue([0], 150);
    outbound.offer(message(0));
    await sleep(50);
    outbound.offer(message(1));
    await sleep(50);
    expect(accepted).toEqual([]);
    expect(await outbound.settle(5_000)).toBe(true);
    expect(accepted).toEqual([0, 1]);
  });
});

describe('OutboundQueue: a message too old for the bus on a channel with a durable group', () => {
  it('is counted as not sent, yet still travels in the next batch as a stream entry only (no frame entry, no sequence number)', async () => {
    const codec = new FrameCodec('node-a', 'a1b2c3d4e5f6', new PubSubSecurity({ secretKeyBase: SECRET }));
    let up = false;
    const sends: { frameBytes: number; batch: { n: number; text: string }[] }[] = [];
    const failed: string[] = [];
    const sink: OutboundSink = {
      canSend: () => up,
      send: async (frame, entries) => {
        sends.push({
          frameBytes: frame.length,
          batch: entries.map(({ message, text }) => ({ n: (message.payload as { n: number }).n, text })),
        });
        return 1;
      },
      sent: () => undefined,
      failed: (m, reason) => void failed.push(`${(m.payload as { n: number }).n}: ${reason}`),
      sendError: () => undefined,
      appendsExpired: (m) => m.channel === 'audit',
    };
    const outbound = new OutboundQueue(codec, sink, { ...DEFAULT_OUTBOUND_TUNING, maxAgeMs: 30, maxMessageBytes: 1_048_576 });
    outbound.offer(message(0));
    outbound.offer({ ...message(1), channel: 'events' });
    await sleep(60);
    up = true;
    outbound.kick();
    expect(await outbound.settle(2_000)).toBe(true);
    expect(failed).toEqual([
      '0: it waited longer than messageMaxAgeMs (30 ms) to be sent',
      '1: it waited longer than messageMaxAgeMs (30 ms) to be sent',
    ]);
    expect(sends).toHaveLength(1);
    expect(sends[0].frameBytes).toBe(0); // nothing for the bus
    expect(sends[0].batch).toEqual([{ n: 0, text: expect.stringMatching(/^\[0,"audit",/) }]);
  });
});
