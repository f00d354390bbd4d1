import type { PubSubMessage } from '../../channels/channel.types.js';
import { matchTopic } from '../../routing/match-topic.js';
import type { InFlight, StreamMember } from './stream-member.js';
import type { StreamEntry } from './stream-replies.js';

/** What dispatching needs from the group: verification (undefined: refused, already reported) and skipping. */
interface Waiting {
  readonly message: PubSubMessage;
  readonly deliveryCount: number;
  /** The consumer that read it (its owner in the group's pending list) and when. */
  readonly consumer: string;
  readonly readAt: number;
}

export interface DispatchIo {
  read(fields: unknown[]): PubSubMessage | undefined;
  /** Acknowledged without a delivery: nobody here subscribes to its topic, it was refused, or it was trimmed. */
  skip(id: string): void;
  lost(count: number): void;
}

/**
 * The members of one durable group on this node, without I/O: whose turn it is, which deliveries are whose,
 * the deliveries of members that left (orphans, oldest first, to be reclaimed by a member that stays), and
 * where verified entries go.
 */
export class GroupMembers {
  private readonly members: StreamMember[] = [];
  /** Deliveries of members that left, by entry id; their deliveredAt guards the reclaim. */
  readonly orphans = new Map<string, InFlight>();
  /**
   * Entries read ahead of the members' free slots (their consumer's in Redis, whose idle clock started at the
   * read), oldest first, handed out as slots free up without another round trip.
   */
  private readonly waiting = new Map<string, Waiting>();
  private turn = 0;

  get size(): number {
    return this.members.length;
  }

  get first(): StreamMember | undefined {
    return this.members[0];
  }

  add(member: StreamMember): void {
    this.members.push(member);
  }

  /** The consumer names of the members here (never pruned from the group). */
  consumers(): string[] {
    return this.members.map((member) => member.consumer);
  }

  /** Entries read ahead and not handed out yet. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Read ahead by `consumer` and not handed out yet (counted in that member's pending). */
  waitingFor(consumer: string): number {
    let count = 0;
    for (const entry of this.waiting.values()) if (entry.consumer === consumer) count++;
    return count;
  }

  /**
   * False when it had left already. Its unacknowledged deliveries become orphans; so do the entries read ahead
   * when it was the last member here (reclaimed by the next one, or claimed by another node after the timeout).
   */
  remove(member: StreamMember): boolean {
    const index = this.members.indexOf(member);
    if (index < 0) return false;
    this.members.splice(index, 1);
    for (const [id, delivery] of member.inFlight) this.orphans.set(id, delivery);
    member.inFlight.clear();
    if (this.members.length === 0) {
      for (const [id, entry] of this.waiting) {
        this.orphans.set(id, { token: -1, deliveryCount: entry.deliveryCount - 1, deliveredAt: entry.readAt, consumer: entry.consumer });
      }
      this.waiting.clear();
    }
    return true;
  }

  /** The smallest ack timeout of the members here (claims and late acknowledgements go by it). */
  ackTimeoutMs(fallback: number): number {
    return Math.min(fallback, ...this.members.map((member) => member.options.ackTimeoutMs));
  }

  /** Round robin over the members that can take a delivery now. */
  nextWithCapacity(): StreamMember | undefined {
    for (let i = 0; i < this.members.length; i++) {
      const member = this.members[(this.turn + i) % this.members.length];
      if (member.capacity() > 0) {
        this.turn = (this.turn + i + 1) % this.members.length;
        return member;
      }
    }
    return undefined;
  }

  /** The oldest orphans, at most `count`, taken out of the list. */
  takeOrphans(count: number): [string, InFlight][] {
    const batch = [...this.orphans].slice(0, Math.max(1, count));
    for (const [id] of batch) this.orphans.delete(id);
    return batch;
  }

  /**
   * Takes entries read or claimed for `member`: each goes, in order, to a member here whose patterns match and
   * that has a free slot, or waits (read ahead) for one; entries none of them subscribes to are skipped.
   * `counts`: delivery counts of claimed entries (1 when absent).
   */
  dispatch(member: StreamMember, entries: StreamEntry[], counts: Map<string, number> | undefined, io: DispatchIo): void {
    const now = Date.now();
    const present = this.members.includes(member);
    for (const [id, fields] of entries) {
      this.takeOver(id);
      if (fields === null) {
        // Trimmed while it was pending: it cannot be delivered again.
        io.lost(1);
        io.skip(id);
        continue;
      }
      const message = io.read(fields);
      const count = counts?.get(id) ?? 1;
      if (message === undefined) {
        io.skip(id);
      } else if (this.members.some((candidate) => candidate.matches(message.topic, matchTopic))) {
        this.waiting.set(id, { message, deliveryCount: count, consumer: member.consumer, readAt: now });
      } else if (!present && this.members.length === 0) {
        // Read for a member that left meanwhile, and nobody here takes it now: the next member reclaims it.
        this.orphans.set(id, { token: -1, deliveryCount: count - 1, deliveredAt: now, consumer: member.consumer });
      } else {
        io.skip(id);
      }
    }
    this.handOut(io);
  }

  /**
   * Hands the waiting entries, oldest first, to members with free slots; stops at the first that none of them can
   * take now (publish order), skipping those no member here subscribes to any more. True if any was handed out.
   */
  handOut(io: DispatchIo): boolean {
    let handed = false;
    for (const [id, entry] of this.waiting) {
      const { topic } = entry.message;
      const matching = this.members.filter((candidate) => candidate.matches(topic, matchTopic));
      if (matching.length === 0) {
        this.waiting.delete(id);
        io.skip(id);
        continue;
      }
      const target = this.withCapacity(matching);
      if (target === undefined) break;
      this.waiting.delete(id);
      target.deliver(id, entry.message, entry.deliveryCount, entry.consumer, entry.readAt);
      handed = true;
    }
    return handed;
  }

  private withCapacity(candidates: StreamMember[]): StreamMember | undefined {
    for (let i = 0; i < this.members.length; i++) {
      const member = this.members[(this.turn + i) % this.members.length];
      if (member.capacity() > 0 && candidates.includes(member)) {
        this.turn = (this.turn + i + 1) % this.members.length;
        return member;
      }
    }
    return undefined;
  }

  /** An entry claimed or read again is no longer any earlier delivery's to acknowledge. */
  private takeOver(id: string): void {
    this.orphans.delete(id);
    this.waiting.delete(id);
    for (const member of this.members) member.release(id);
  }
}
