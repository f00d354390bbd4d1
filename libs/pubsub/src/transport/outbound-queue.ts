import type { ChannelName } from '../channels/channel-names.js';
import type { OutboundRefusal } from '../channels/channel-context.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import { ERRORS } from '../error-messages.js';
import { Deque } from '../delivery/deque.js';
import { RefusalPause } from './refusal-pause.js';
import { FrameBatcher, type Framed } from './frame-batcher.js';
import { encodeMessage, type EncodedMessage, type FrameCodec } from './wire-frame.js';

export interface OutboundTuning {
  /** Messages waiting to be framed; beyond this a publication is refused (counted, logged). */
  maxPending: number;
  maxBatchMessages: number;
  /** Entries of one frame, in bytes; a single larger message (up to maxMessageBytes) travels alone. */
  maxFrameBytes: number;
  /** Frames sent but not yet acknowledged by the bus; the rest wait, which keeps the bus's buffers small. */
  maxInFlightFrames: number;
  /** Messages older than this when their turn comes are not sent (a receiver would take them as expired). */
  maxAgeMs: number;
  /** A message whose JSON form is larger is refused at publish ('too_large'). */
  maxMessageBytes: number;
  /** Sends of one framed message before it is given up (bus errors other than being down). */
  maxAttempts: number;
  /**
   * A partial batch leaves at most this often after the previous frame (full batches and retries do not wait;
   * a sender quieter than this never waits). Every frame costs both ends a wake-up, so at moderate rates fewer,
   * larger frames save CPU, but a message then waits across an event-loop sleep, which a loaded host stretches:
   * off (0) by default, see README 'Redis transport, two processes' for what 2 ms measured.
   */
  minFrameIntervalMs: number;
  /**
   * A partial batch ready within this long of the previous frame waits for the next event-loop turn that
   * publishes (or for this long, whichever comes first) and leaves with that turn's messages: a steady
   * publisher sends half the frames, each message waits at most one publishing turn, and no timer wakes the
   * process in between. A sender quieter than this never waits. Off (0) by default: at 5,000 msg/s between two
   * processes, 1.5 ms measured 44 % fewer frames and 3-15 % less CPU, but p50 0.2 -> 0.45 ms and a p99 not
   * reliably under 5 ms on a loaded host.
   */
  holdPartialFrameMs: number;
}

export const DEFAULT_OUTBOUND_TUNING: Omit<OutboundTuning, 'maxAgeMs' | 'maxMessageBytes'> = {
  maxPending: 200_000,
  maxBatchMessages: 1_000,
  maxFrameBytes: 512 * 1024,
  maxInFlightFrames: 32,
  maxAttempts: 3,
  minFrameIntervalMs: 0,
  holdPartialFrameMs: 0,
};

/**
 * A frame the bus did not take, by design rather than failure (the stream gate of a retained channel): it and every
 * frame after it are re-sent in order once all frames in flight are answered, after `waitMs`.
 */
export interface SendRefusal {
  refused: string;
  waitMs: number;
}

export interface OutboundSink {
  /** The bus is up and ready for data (after a reconnect: once peers had time to resubscribe). */
  canSend(): boolean;
  /** `entries`: the frame's messages with their wire entries, in frame order. */
  send(frame: Buffer, entries: readonly { message: PubSubMessage; text: string }[]): Promise<number | SendRefusal>;
  /** A frame of `messages` messages was refused; they are held and re-sent. */
  refused?(messages: number, reason: string): void;
  /** The refused frames are re-sent now (nothing is in flight), ahead of everything queued after them. */
  resending?(): void;
  /**
   * Whether a message too old for the bus still goes to its durable stream (a channel with a group): it then
   * travels in a frame's batch without being in the frame, and without a sequence number.
   */
  appendsExpired?(message: PubSubMessage): boolean;
  sent(messages: number): void;
  /** A message that will never be sent; counted in its channel's failedPublications. */
  failed(message: PubSubMessage, reason: string): void;
  sendError(error: unknown): void;
}

/**
 * Coalesces published messages into batched frames: what one event-loop turn publishes leaves together at its
 * end while a frame slot is free; at most `maxInFlightFrames` frames are unacknowledged. Messages arrive already
 * serialised (at publish, where one that cannot be is refused), and that text is what goes out. Sequence
 * numbers are given per channel when a message is first framed, so a message dropped before that (overflow,
 * age) leaves no gap and is counted here, while one lost after it is counted by the receiver from the gap.
 */
export class OutboundQueue {
  private readonly pending = new Deque<EncodedMessage>();
  private retry: Framed[] = [];
  /** The batches of the frames in flight, until their answer. */
  private readonly flying = new Set<Framed[]>();
  private readonly acknowledged = new Map<ChannelName, number>();
  private inFlight = 0;
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastFrameAt = -Infinity;
  /** A partial batch waited through the end of a turn (holdPartialFrameMs): the next flush sends it. */
  private partialHeld = false;
  private idleWaiters: (() => void)[] = [];
  private readonly refusalPause = new RefusalPause();
  private readonly batcher: FrameBatcher;

  private lastOffered: EncodedMessage | undefined;

  constructor(
    private readonly codec: FrameCodec,
    private readonly sink: OutboundSink,
    private readonly tuning: OutboundTuning,
  ) {
    this.batcher = new FrameBatcher(tuning, sink);
  }

  /** The messages of `channel` the bus has not taken yet: waiting, held after a refusal, or in a frame in flight. */
  unsent(channel: ChannelName): PubSubMessage[] {
    const messages: PubSubMessage[] = [];
    const take = ({ message }: { message: PubSubMessage }) => {
      if (message.channel === channel) messages.push(message);
    };
    for (const batch of this.flying) batch.forEach(take);
    this.retry.forEach(take);
    this.pending.forEach(take);
    return messages;
  }

  /** Per channel, the highest sequence number the bus has acknowledged (announced in heartbeats). */
  get published(): ReadonlyMap<ChannelName, number> {
    return this.acknowledged;
  }

  /**
   * The serialisation of the message offered last: the durable stream's entry of the same publication, written
   * right after in the same publish call, reuses it instead of serialising the message a second time.
   */
  encodedTail(message: PubSubMessage): string | undefined {
    const last = this.lastOffered;
    return last !== undefined && last.message === message ? last.tail : undefined;
  }

  get size(): number {
    return this.pending.length + this.retry.length;
  }

  /**
   * Serialises a message at publish time and queues it, or refuses it: the one serialisation is what is
   * measured against maxMessageBytes and what goes on the wire.
   */
  offer(message: PubSubMessage): OutboundRefusal | undefined {
    const encoded = encodeMessage(message);
    this.lastOffered = encoded;
    if (encoded === undefined) return { reason: 'invalid_message', error: ERRORS.unserialisablePayload(message.channel, message.type) };
    if (encoded.bytes > this.tuning.maxMessageBytes) {
      return { reason: 'too_large', error: ERRORS.messageTooLarge(message.channel, encoded.bytes, this.tuning.maxMessageBytes) };
    }
    this.push(encoded);
    return undefined;
  }

  push(encoded: EncodedMessage): void {
    if (this.pending.length >= this.tuning.maxPending) {
      this.sink.failed(encoded.message, `the send queue is full (${this.tuning.maxPending} messages waiting)`);
      return;
    }
    this.pending.push(encoded);
    this.schedule();
  }

  /** Called when sending becomes possible again. */
  kick(): void {
    if (this.size > 0) this.schedule();
  }

  /** Resolves once nothing is waiting or in flight, or after `timeoutMs`; true when everything went out. */
  async settle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    this.kick();
    while (this.size > 0 || this.inFlight > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Counts everything still waiting as failed and stops. */
  abandon(reason: string): void {
    this.cancelSchedule();
    this.refusalPause.cancel();
    this.partialHeld = false;
    for (const framed of this.retry) this.sink.failed(framed.message, reason);
    this.retry = [];
    for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) this.sink.failed(next.message, reason);
  }

  /**
   * Nagle's rule: with nothing in flight, what this event-loop turn published leaves at its end; while a frame
   * is unacknowledged, a partial batch grows until the acknowledgement (afterSend) and only full batches use
   * the other frame slots. With minFrameIntervalMs, a partial batch also waits until that long after the
   * previous frame (a timer, only then). A quiet sender waits for nothing, a busy one sends large frames.
   */
  private schedule(): void {
    if (this.immediate !== undefined || !this.sink.canSend()) return;
    if (this.mayFlush()) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.immediate = setImmediate(this.flush);
    } else if (this.timer === undefined && this.inFlight === 0) {
      this.timer = setTimeout(this.flush, this.lastFrameAt + this.tuning.minFrameIntervalMs - performance.now());
    }
  }

  private mayFlush(): boolean {
    if (this.inFlight >= this.tuning.maxInFlightFrames || this.refusalPause.active) return false;
    if (this.retry.length > 0 || this.pending.length >= this.tuning.maxBatchMessages) return true;
    return this.inFlight === 0 && performance.now() - this.lastFrameAt >= this.tuning.minFrameIntervalMs;
  }

  private cancelSchedule(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
  }

  private readonly flush = (): void => {
    this.cancelSchedule();
    if (this.holdsBack()) return;
    while (this.size > 0 && this.mayFlush() && this.sink.canSend()) {
      const batch = this.batcher.take(this.retry, this.pending);
      if (batch.length > 0) this.sendFrame(batch);
    }
    if (this.size > 0) this.schedule();
    this.wakeIdle();
  };

  /**
   * holdPartialFrameMs: at the end of a turn, a partial batch that could leave now but follows the previous
   * frame closely waits, once, for the next flush (the next publishing turn's end, an acknowledgement, a
   * reconnect) or for its timer.
   */
  private holdsBack(): boolean {
    const holdMs = this.tuning.holdPartialFrameMs;
    if (this.partialHeld || holdMs <= 0) {
      this.partialHeld = false;
      return false;
    }
    if (this.inFlight > 0 || this.retry.length > 0 || this.pending.length === 0 || this.pending.length >= this.tuning.maxBatchMessages)
      return false;
    if (!this.mayFlush() || performance.now() - this.lastFrameAt >= holdMs) return false;
    this.partialHeld = true;
    this.timer = setTimeout(this.flush, holdMs);
    return true;
  }

  private sendFrame(batch: Framed[]): void {
    this.inFlight++;
    this.flying.add(batch);
    this.lastFrameAt = performance.now();
    const texts: string[] = [];
    let textBytes = 0;
    for (const framed of batch) {
      framed.attempts++;
      if (framed.entryOnly === true) continue;
      texts.push(framed.text);
      textBytes += framed.textBytes;
    }
    // Only stream entries (appendsExpired): nothing for the bus.
    const frame = texts.length === 0 ? Buffer.alloc(0) : this.codec.encodeData(texts, textBytes);
    this.sink.send(frame, batch).then(
      (outcome) => {
        this.inFlight--;
        this.flying.delete(batch);
        if (typeof outcome !== 'number') return this.holdRefused(batch, outcome);
        for (const { message, seq } of batch) {
          if (seq > (this.acknowledged.get(message.channel) ?? 0)) this.acknowledged.set(message.channel, seq);
        }
        this.sink.sent(texts.length);
        this.afterSend();
      },
      (error: unknown) => {
        this.inFlight--;
        this.flying.delete(batch);
        this.sink.sendError(error);
        // Re-sent with the same sequence numbers: if the bus did take the frame after all, receivers drop
        // the copies as duplicates.
        const again = batch.filter((framed) => {
          if (framed.attempts < this.tuning.maxAttempts || !this.sink.canSend()) return true;
          this.sink.failed(framed.message, `publishing failed ${framed.attempts} times`);
          return false;
        });
        this.retry.push(...again);
        this.afterSend();
      },
    );
  }

  /**
   * A refused frame is no failure: it waits in the retry list (answers come in send order, so it stays in order
   * with the frames refused after it) and goes again once the refusal pause ends.
   */
  private holdRefused(batch: Framed[], refusal: SendRefusal): void {
    for (const framed of batch) framed.attempts--;
    this.retry.push(...batch);
    this.refusalPause.refused(refusal.waitMs);
    this.sink.refused?.(batch.length, refusal.refused);
    this.afterSend();
  }

  private afterSend(): void {
    this.refusalPause.answered(this.inFlight, () => {
      this.sink.resending?.();
      this.kick();
    });
    if (this.size > 0) this.schedule();
    this.wakeIdle();
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
