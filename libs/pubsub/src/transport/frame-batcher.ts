import type { ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import type { Deque } from '../delivery/deque.js';
import { entryText, SEQUENCE_BYTES, type EncodedMessage } from './wire-frame.js';

/** A message with its sequence number and wire text: once framed it keeps both, across re-sends. */
export interface Framed {
  message: PubSubMessage;
  seq: number;
  text: string;
  /** What the entry counts against a frame's budget (its size with room for any sequence number). */
  bytes: number;
  /** The entry text's exact UTF-8 size. */
  textBytes: number;
  attempts: number;
  /** Too old for the bus: only its stream entry is written (appendsExpired). */
  entryOnly?: true;
}

/**
 * What goes in a frame: entries while they fit its message and byte budget, each message numbered per channel
 * when it is first framed (so one dropped before, for its age, leaves no gap), one too old for the bus kept only
 * for its durable stream when a group needs it.
 */
export class FrameBatcher {
  private readonly sequences = new Map<ChannelName, number>();

  constructor(
    /** The outbound queue's tuning (OutboundTuning). */
    private readonly tuning: { readonly maxBatchMessages: number; readonly maxFrameBytes: number; readonly maxAgeMs: number },
    /** The outbound queue's sink (OutboundSink): where a message too old to send is counted. */
    private readonly sink: { failed(message: PubSubMessage, reason: string): void; appendsExpired?(message: PubSubMessage): boolean },
  ) {}

  /** The next frame's batch: refused or failed ones first (they keep their numbers), then waiting messages. */
  take(retry: Framed[], pending: Deque<EncodedMessage>): Framed[] {
    const { maxBatchMessages, maxFrameBytes, maxAgeMs } = this.tuning;
    const batch: Framed[] = [];
    let bytes = 0;
    // Entries are added while they fit; the first one always goes, so a message larger than a frame travels alone.
    const fits = (size: number) => batch.length === 0 || (batch.length < maxBatchMessages && bytes + size <= maxFrameBytes);
    while (retry.length > 0 && fits(retry[0].bytes)) {
      const framed = retry.shift()!;
      bytes += framed.bytes;
      batch.push(framed);
    }
    const oldest = Date.now() - maxAgeMs;
    while (pending.length > 0 && fits(pending.peek()!.bytes + SEQUENCE_BYTES)) {
      const { message, tail, bytes: size } = pending.shift()!;
      if (message.timestamp < oldest) {
        this.sink.failed(message, `it waited longer than messageMaxAgeMs (${maxAgeMs} ms) to be sent`);
        if (this.sink.appendsExpired?.(message) === true) {
          bytes += size;
          batch.push({ message, seq: 0, text: entryText(0, tail), bytes: size, textBytes: 0, attempts: 0, entryOnly: true });
        }
        continue;
      }
      const seq = (this.sequences.get(message.channel) ?? 0) + 1;
      this.sequences.set(message.channel, seq);
      bytes += size + SEQUENCE_BYTES;
      const text = entryText(seq, tail);
      // The sequence number and its comma are ASCII: one byte per character.
      batch.push({ message, seq, text, bytes: size + SEQUENCE_BYTES, textBytes: size + text.length - tail.length, attempts: 0 });
    }
    return batch;
  }
}
