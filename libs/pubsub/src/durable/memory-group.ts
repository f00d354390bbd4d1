import type { PubSubMessage } from '../vocabulary/message.js';
import { Deque } from '../delivery/deque.js';
import type { DurableLag, DurableMemberOptions, DurableMembership } from './durable-backend.js';
import { topicFilterOf, type RetentionLog, type TopicFilter } from './retention-log.js';

interface Member {
  readonly options: DurableMemberOptions;
  readonly filter: TopicFilter;
  pending: number;
}

interface Unsettled {
  message: PubSubMessage;
  /** Deliveries so far. */
  deliveryCount: number;
  /** When this node accepted the message: the age reported as lag. */
  acceptedAt: number;
}

interface Pending extends Unsettled {
  member: Member;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One durable name on one channel, in memory: a read position in the channel's RetentionLog shared by its
 * members (a queue group), the deliveries not yet acknowledged, and those to deliver again (ack timeout, a
 * member that left). It outlives its members, so a subscription that comes back resumes where the name stopped.
 */
export class MemoryGroup {
  private cursor: number;
  private readonly members: Member[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly redeliveries = new Deque<Unsettled>();
  private nextToken = 0;
  private turn = 0;
  private pumpQueued = false;
  private unreportedLost = 0;
  private closed = false;

  constructor(
    private readonly log: RetentionLog,
    first: DurableMemberOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.cursor = first.replay === undefined ? log.end : log.firstSelected(topicFilterOf(first.patterns), first.replay);
  }

  join(options: DurableMemberOptions): DurableMembership {
    const member: Member = { options, filter: topicFilterOf(options.patterns), pending: 0 };
    this.members.push(member);
    this.schedule();
    return {
      wake: () => this.schedule(),
      leave: () => this.leave(member),
      get pending() {
        return member.pending;
      },
    };
  }

  lag(): DurableLag {
    const start = Math.max(this.cursor, this.log.start);
    let oldest = Number.POSITIVE_INFINITY;
    for (const entry of this.pending.values()) oldest = Math.min(oldest, entry.acceptedAt);
    const unread = this.redeliveries.peek()?.acceptedAt ?? this.log.acceptedTimeAt(start);
    if (unread !== undefined) oldest = Math.min(oldest, unread);
    return {
      pending: this.pending.size,
      backlog: this.log.end - start + this.redeliveries.length,
      oldestMs: oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, this.now() - oldest),
    };
  }

  /** New messages or free capacity: deliver on a later turn, never on the publisher's stack. */
  schedule(): void {
    if (this.pumpQueued || this.closed) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
    this.redeliveries.clear();
    this.members.length = 0;
  }

  private pump(): void {
    if (this.closed) return;
    this.countEvicted();
    for (;;) {
      const redelivery = this.redeliveries.peek();
      const message = redelivery?.message ?? this.log.at(this.cursor);
      if (message === undefined) return;
      let matched = false;
      let target: Member | undefined;
      for (let i = 0; i < this.members.length && target === undefined; i++) {
        const member = this.members[(this.turn + i) % this.members.length];
        if (!member.filter(message.topic)) continue;
        matched = true;
        if (member.options.capacity() > 0) {
          target = member;
          this.turn = (this.turn + i + 1) % this.members.length;
        }
      }
      // Nobody of the group can take it now (all busy, or none running): it waits, position kept.
      if (target === undefined && (matched || this.members.length === 0)) return;
      if (redelivery !== undefined) this.redeliveries.shift();
      else this.cursor++;
      // No member of the group subscribes to this topic: the group has read it and moves on.
      if (target === undefined) continue;
      const unsettled = redelivery ?? { message, deliveryCount: 0, acceptedAt: this.log.acceptedTimeAt(this.cursor - 1) ?? this.now() };
      this.deliver(target, unsettled);
    }
  }

  private deliver(member: Member, unsettled: Unsettled): void {
    const token = this.nextToken++;
    const deliveryCount = unsettled.deliveryCount + 1;
    const timer = setTimeout(() => this.expire(token), member.options.ackTimeoutMs);
    timer.unref?.();
    this.pending.set(token, { ...unsettled, deliveryCount, member, timer });
    member.pending++;
    member.options.deliver({ message: { ...unsettled.message, deliveryCount }, ack: () => this.settle(token) !== undefined });
  }

  private settle(token: number): Pending | undefined {
    const entry = this.pending.get(token);
    // An acknowledgement after the ack timeout or after its member left: the message went to someone else.
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.pending.delete(token);
    entry.member.pending--;
    return entry;
  }

  private expire(token: number): void {
    const entry = this.settle(token);
    if (entry === undefined) return;
    this.redeliveries.push({ message: entry.message, deliveryCount: entry.deliveryCount, acceptedAt: entry.acceptedAt });
    this.schedule();
  }

  private leave(member: Member): void {
    const index = this.members.indexOf(member);
    if (index < 0) return;
    this.members.splice(index, 1);
    for (const [token, entry] of [...this.pending]) if (entry.member === member) this.expire(token);
    this.schedule();
  }

  /** What fell out of retention before the group read it, reported once to a member (counted in `lost`). */
  private countEvicted(): void {
    const start = this.log.start;
    if (this.cursor < start) {
      this.unreportedLost += start - this.cursor;
      this.cursor = start;
    }
    if (this.unreportedLost > 0 && this.members.length > 0) {
      this.members[0].options.lost(this.unreportedLost);
      this.unreportedLost = 0;
    }
  }
}
