import type { PubSubMessage } from '../channels/channel.types.js';
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

// Compacting the array only once the evicted prefix is this long keeps eviction O(1) amortised.
const COMPACT_AFTER = 1024;

/**
 * One channel's retained messages on this node (its own publications and those received from other nodes),
 * oldest first, bounded by count and by age (the time this node accepted them, so clock skew between nodes
 * cannot age a message early). Positions are increasing integers that never repeat, so a reader can keep its
 * place and tell how many messages fell out before it read them.
 */
export class RetentionLog {
  private messages: PubSubMessage[] = [];
  private acceptedAt: number[] = [];
  /** Position of messages[0]; the oldest retained message sits at `head`. */
  private base = 0;
  private head = 0;
  private evictedCount = 0;
  /** Called after each append (durable groups pull from here). */
  onAppend: (() => void) | undefined;

  constructor(
    readonly policy: RetentionPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Position of the oldest retained message (equal to `end` when the log is empty). */
  get start(): number {
    this.expire();
    return this.base + this.head;
  }

  /** Position the next message will get. */
  get end(): number {
    return this.base + this.messages.length;
  }

  get size(): number {
    return this.end - this.start;
  }

  /** Messages that fell out of the log (by count or age) since it was created. */
  get evicted(): number {
    return this.evictedCount;
  }

  append(message: PubSubMessage): number {
    const position = this.end;
    this.messages.push(message);
    this.acceptedAt.push(this.now());
    const excess = this.messages.length - this.head - this.policy.maxMessages;
    if (excess > 0) this.evict(excess);
    this.expire();
    this.onAppend?.();
    return position;
  }

  /** The message at `position`, or undefined when it is not (or no longer) retained. */
  at(position: number): PubSubMessage | undefined {
    if (position < this.start || position >= this.end) return undefined;
    return this.messages[position - this.base];
  }

  /** When this node accepted the message at `position` (ms since the epoch), or undefined. */
  acceptedTimeAt(position: number): number | undefined {
    if (position < this.start || position >= this.end) return undefined;
    return this.acceptedAt[position - this.base];
  }

  /** The last `limit` retained messages matching `filter`, oldest first. */
  recent(filter: TopicFilter, limit: number): PubSubMessage[] {
    const found: PubSubMessage[] = [];
    const first = this.start - this.base;
    for (let i = this.messages.length - 1; i >= first && found.length < limit; i--) {
      if (filter(this.messages[i].topic)) found.push(this.messages[i]);
    }
    return found.reverse();
  }

  /** The retained messages matching `filter` that `selector` asks for, oldest first. */
  replay(filter: TopicFilter, selector: ReplaySelector): PubSubMessage[] {
    if (typeof selector === 'number') return this.recent(filter, selector);
    const found: PubSubMessage[] = [];
    for (let position = this.firstSelected(filter, selector); position < this.end; position++) {
      const message = this.messages[position - this.base];
      if (selects(message, filter, selector)) found.push(message);
    }
    return found;
  }

  /** Position of the first message `selector` picks (`end` when none): where a group created with replay starts. */
  firstSelected(filter: TopicFilter, selector: ReplaySelector): number {
    const first = this.start - this.base;
    if (typeof selector === 'number') {
      let position = this.end;
      let count = 0;
      for (let i = this.messages.length - 1; i >= first && count < selector; i--) {
        if (filter(this.messages[i].topic)) {
          position = this.base + i;
          count++;
        }
      }
      return position;
    }
    let from = first;
    if (selector.sinceId !== undefined) {
      // An id no longer (or never) retained: everything retained is newer than what the reader last saw.
      for (let i = this.messages.length - 1; i >= first; i--) {
        if (this.messages[i].id === selector.sinceId) {
          from = i + 1;
          break;
        }
      }
    }
    for (let i = from; i < this.messages.length; i++) {
      if (selects(this.messages[i], filter, selector)) return this.base + i;
    }
    return this.end;
  }

  /** Drops every retained message (shutdown). */
  clear(): void {
    const remaining = this.messages.length - this.head;
    this.evictedCount += remaining;
    this.base = this.end;
    this.head = 0;
    this.messages = [];
    this.acceptedAt = [];
  }

  private expire(): void {
    const oldest = this.now() - this.policy.maxAgeMs;
    let count = 0;
    while (this.head + count < this.messages.length && this.acceptedAt[this.head + count] < oldest) count++;
    if (count > 0) this.evict(count);
  }

  private evict(count: number): void {
    for (let i = 0; i < count; i++) {
      (this.messages as (PubSubMessage | undefined)[])[this.head + i] = undefined;
    }
    this.head += count;
    this.evictedCount += count;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.acceptedAt = this.acceptedAt.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}

function selects(message: PubSubMessage, filter: TopicFilter, selector: { sinceMs?: number }): boolean {
  return (selector.sinceMs === undefined || message.timestamp >= selector.sinceMs) && filter(message.topic);
}
