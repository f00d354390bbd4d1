import type { PubSubMessage } from '../../channels/channel.types.js';
import { matchTopic } from '../../routing/match-topic.js';
import type { InFlight, StreamMember } from './stream-member.js';
import type { StreamEntry } from './stream-replies.js';

/** What dispatching needs from the group: verification (undefined: refused, already reported) and skipping. */
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

  /** False when it had left already. Its unacknowledged deliveries become orphans. */
  remove(member: StreamMember): boolean {
    const index = this.members.indexOf(member);
    if (index < 0) return false;
    this.members.splice(index, 1);
    for (const [id, delivery] of member.inFlight) this.orphans.set(id, delivery);
    member.inFlight.clear();
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
   * Hands entries read or claimed for `member` to it, or to another member here whose patterns match (members
   * of one name may subscribe to different topics); skips those none of them takes. `counts`: delivery counts
   * of claimed entries (1 when absent).
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
      const target = message === undefined ? undefined : this.target(member, present, message.topic);
      if (message !== undefined && target === undefined && !present) {
        // Read for a member that left meanwhile, and nobody here takes it now: the next member reclaims it.
        this.orphans.set(id, { token: -1, deliveryCount: count - 1, deliveredAt: now, consumer: member.consumer });
      } else if (message === undefined || target === undefined) {
        io.skip(id);
      } else {
        target.deliver(id, message, count, member.consumer, now);
      }
    }
  }

  private target(member: StreamMember, present: boolean, topic: string): StreamMember | undefined {
    if (present && member.matches(topic, matchTopic)) return member;
    return this.members.find((candidate) => candidate.matches(topic, matchTopic));
  }

  /** An entry claimed or read again is no longer any earlier delivery's to acknowledge. */
  private takeOver(id: string): void {
    this.orphans.delete(id);
    for (const member of this.members) member.release(id);
  }
}
