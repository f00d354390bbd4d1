import type { PubSubMessage } from '../vocabulary/message.js';
import { matchSegments } from '../routing/match-topic.js';
import { TOPIC_SEPARATOR } from '../routing/topic-grammar.js';
import type { RetentionPolicy } from './durable-backend.js';
import type { ReplaySelector } from './replay-selector.js';

/** Whether a topic matches any of the (valid) patterns. */
export type TopicFilter = (topic: string) => boolean;

export function topicFilterOf(patterns: readonly string[]): TopicFilter {
  const split = patterns.map((p) => p.split(TOPIC_SEPARATOR));
  return (topic) => {
    const segments = topic.split(TOPIC_SEPARATOR);
    for (const pattern of split) if (matchSegments(pattern, segments)) return true;
    return false;
  };
}

/** A ring starts this large (or at maxMessages, if smaller) and doubles while full, up to maxMessages. */
const INITIAL_CAPACITY = 1024;

/**
 * One channel's retained messages on this node (its own publications and those received from other nodes),
 * oldest first, bounded by count and by age (the time this node accepted them, so clock skew between nodes
 * cannot age a message early). Positions are increasing integers that never repeat, so a reader can keep its
 * place and tell how many messages fell out before it read them.
 *
 * A ring: once it reached maxMessages, an append is one store over the oldest slot, with no allocation and no
 * copying (a flood on a retained channel appends on every node); the acceptance times sit in a typed array,
 * outside the garbage collector's work.
 */
export class RetentionLog {
  private messages: (PubSubMessage | undefined)[];
  private acceptedAt: Float64Array;
  /** Slot of the oldest retained message; `count` messages follow it (wrapping). */
  private head = 0;
  private count = 0;
  /** Position of the oldest retained message. */
  private first = 0;
  private evictedCount = 0;
  private readonly ages: boolean;
  /** Called after each append (durable groups pull from here). */
  onAppend: (() => void) | undefined;

  constructor(
    readonly policy: RetentionPolicy,
    private readonly now: () => number = Date.now,
  ) {
    const capacity = Math.max(1, Math.min(policy.maxMessages, INITIAL_CAPACITY));
    this.messages = new Array<PubSubMessage | undefined>(capacity).fill(undefined);
    this.acceptedAt = new Float64Array(capacity);
    this.ages = Number.isFinite(policy.maxAgeMs);
  }

  /** Position of the oldest retained message (equal to `end` when the log is empty). */
  get start(): number {
    if (this.ages) this.expire(this.now());
    return this.first;
  }

  /** Position the next message will get. */
  get end(): number {
    return this.first + this.count;
  }

  get size(): number {
    return this.end - this.start;
  }

  /** Messages that fell out of the log (by count or age) since it was created. */
  get evicted(): number {
    return this.evictedCount;
  }

  append(message: PubSubMessage): number {
    const position = this.first + this.count;
    const now = this.now();
    if (this.ages) this.expire(now);
    let capacity = this.messages.length;
    if (this.count === capacity) {
      if (capacity < this.policy.maxMessages) capacity = this.grow();
      else this.evict(1);
    }
    const slot = (this.head + this.count) % capacity;
    this.messages[slot] = message;
    this.acceptedAt[slot] = now;
    this.count++;
    this.onAppend?.();
    return position;
  }

  /** The message at `position`, or undefined when it is not (or no longer) retained. */
  at(position: number): PubSubMessage | undefined {
    if (position < this.start || position >= this.end) return undefined;
    return this.slotAt(position);
  }

  /** When this node accepted the message at `position` (ms since the epoch), or undefined. */
  acceptedTimeAt(position: number): number | undefined {
    if (position < this.start || position >= this.end) return undefined;
    return this.acceptedAt[(this.head + position - this.first) % this.messages.length];
  }

  /** The last `limit` retained messages matching `filter`, oldest first. */
  recent(filter: TopicFilter, limit: number): PubSubMessage[] {
    const found: PubSubMessage[] = [];
    for (let position = this.end - 1; position >= this.start && found.length < limit; position--) {
      const message = this.slotAt(position);
      if (filter(message.topic)) found.push(message);
    }
    return found.reverse();
  }

  /** The retained messages matching `filter` that `selector` asks for, oldest first. */
  replay(filter: TopicFilter, selector: ReplaySelector): PubSubMessage[] {
    if (typeof selector === 'number') return this.recent(filter, selector);
    const found: PubSubMessage[] = [];
    for (let position = this.firstSelected(filter, selector); position < this.end; position++) {
      const message = this.slotAt(position);
      if (selects(message, filter, selector)) found.push(message);
    }
    return found;
  }

  /** Position of the first message `selector` picks (`end` when none): where a group created with replay starts. */
  firstSelected(filter: TopicFilter, selector: ReplaySelector): number {
    const first = this.start;
    if (typeof selector === 'number') {
      let found = this.end;
      let count = 0;
      for (let position = this.end - 1; position >= first && count < selector; position--) {
        if (filter(this.slotAt(position).topic)) {
          found = position;
          count++;
        }
      }
      return found;
    }
    let from = first;
    if (selector.sinceId !== undefined) {
      // An id no longer (or never) retained: everything retained is newer than what the reader last saw.
      for (let position = this.end - 1; position >= first; position--) {
        if (this.slotAt(position).id === selector.sinceId) {
          from = position + 1;
          break;
        }
      }
    }
    for (let position = from; position < this.end; position++) {
      if (selects(this.slotAt(position), filter, selector)) return position;
    }
    return this.end;
  }

  /** Drops every retained message (shutdown). */
  clear(): void {
    this.evict(this.count);
  }

  /** A retained position's message (the caller checked the bounds). */
  private slotAt(position: number): PubSubMessage {
    return this.messages[(this.head + position - this.first) % this.messages.length]!;
  }

  private expire(now: number): void {
    const oldest = now - this.policy.maxAgeMs;
    let count = 0;
    const capacity = this.messages.length;
    while (count < this.count && this.acceptedAt[(this.head + count) % capacity] < oldest) count++;
    if (count > 0) this.evict(count);
  }

  private evict(count: number): void {
    const capacity = this.messages.length;
    for (let i = 0; i < count; i++) this.messages[(this.head + i) % capacity] = undefined;
    this.head = (this.head + count) % capacity;
    this.count -= count;
    this.first += count;
    this.evictedCount += count;
  }

  /** Doubles the ring (up to maxMessages), the retained messages moved to its start in order. */
  private grow(): number {
    const capacity = Math.min(this.policy.maxMessages, this.messages.length * 2);
    const messages = new Array<PubSubMessage | undefined>(capacity).fill(undefined);
    const acceptedAt = new Float64Array(capacity);
    const old = this.messages.length;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % old;
      messages[i] = this.messages[slot];
      acceptedAt[i] = this.acceptedAt[slot];
    }
    this.messages = messages;
    this.acceptedAt = acceptedAt;
    this.head = 0;
    return capacity;
  }
}

function selects(message: PubSubMessage, filter: TopicFilter, selector: { sinceMs?: number }): boolean {
  return (selector.sinceMs === undefined || message.timestamp >= selector.sinceMs) && filter(message.topic);
}
