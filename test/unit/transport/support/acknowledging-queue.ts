import type { PubSubMessage } from '../../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../../libs/pubsub/src/security/pubsub-security.js';
import { DEFAULT_OUTBOUND_TUNING, OutboundQueue, type OutboundSink } from '../../../../libs/pubsub/src/transport/outbound-queue.js';
import { FrameCodec } from '../../../../libs/pubsub/src/transport/wire-frame.js';

export const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let ids = 0;
/** An `events` message whose type names it, so that a test reads frames as lists of types. */
export const message = (type: string): PubSubMessage => ({
  id: `m-${++ids}`,
  channel: 'events',
  topic: 'orders:created',
  type,
  payload: { type },
  timestamp: Date.now(),
  node: 'node-a',
});

/**
 * A queue over a bus that acknowledges every frame at once (or once `answered` resolves); `frames` holds the types
 * each frame carried.
 */
export function acknowledgingQueue(secret: string, tuning: Partial<typeof DEFAULT_OUTBOUND_TUNING> = {}, answered?: Promise<void>) {
  const codec = new FrameCodec('node-a', 'a1b2c3d4e5f6', new PubSubSecurity({ secretKeyBase: secret }));
  const reader = new FrameCodec('node-b', 'b1b2c3d4e5f6', new PubSubSecurity({ secretKeyBase: secret }));
  const frames: string[][] = [];
  const failed: string[] = [];
  const sink: OutboundSink = {
    canSend: () => true,
    send: async (frame) => {
      const decoded = reader.decode(frame);
      if (!decoded.ok) throw new Error(`undecodable frame: ${decoded.error}`);
      frames.push(decoded.frame.entries.map((entry) => (entry as unknown[])[4] as string));
      await answered;
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
