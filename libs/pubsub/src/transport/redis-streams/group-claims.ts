import type { ThrottledLog } from '../../delivery/throttled-log.js';
import { ERRORS } from '../../error-messages.js';
import type { GroupMembers } from './group-members.js';
import type { StreamClient } from './stream-client.js';
import { autoClaim, claimEach, type GroupAddress } from './stream-commands.js';
import type { StreamMember } from './stream-member.js';
import type { StreamEntry } from './stream-replies.js';

/** What taking over deliveries needs from the group. */
export interface ClaimsHost {
  readonly address: GroupAddress;
  readonly members: GroupMembers;
  readonly log: ThrottledLog;
  /** The members' smallest ack timeout (the first member's when none is left). */
  ackTimeoutMs(): number;
  /** The writer connection, when the group exists in Redis and is not closed. */
  writer(): StreamClient | undefined;
  closed(): boolean;
  dispatch(member: StreamMember, entries: StreamEntry[], counts: Map<string, number> | undefined): void;
  reportLost(count: number): void;
}

/**
 * Redelivery within a group: entries left unacknowledged for the ack timeout (a process killed, a handler hung)
 * taken over with XAUTOCLAIM by a member with room, and the deliveries of a member that left handed at once to
 * one that stays here.
 */
export class GroupClaims {
  private cursor = '0-0';
  private lastClaimAt = 0;
  private claiming = false;

  constructor(private readonly host: ClaimsHost) {}

  /** Entries idle for longer than the smallest ack timeout of the members here go to one with room. */
  async claimIdle(now: number): Promise<void> {
    const host = this.host;
    const writer = host.writer();
    const member = host.members.nextWithCapacity();
    if (writer === undefined || member === undefined) return;
    const ackTimeoutMs = host.ackTimeoutMs();
    if (this.claiming || now - this.lastClaimAt < Math.min(Math.max(ackTimeoutMs / 2, 25), 1_000)) return;
    this.lastClaimAt = now;
    this.claiming = true;
    try {
      const claimed = await autoClaim(writer, host.address, member.consumer, ackTimeoutMs, this.cursor, member.capacity());
      this.cursor = claimed.cursor;
      host.reportLost(claimed.deleted);
      host.dispatch(member, claimed.entries, claimed.counts);
    } catch (error) {
      this.failed(error);
    } finally {
      this.claiming = false;
    }
  }

  /**
   * A member left with deliveries unacknowledged: a member that stays here takes them at once, in their order,
   * unless another node claimed one meanwhile (its idle time in Redis is then shorter than ours).
   */
  async reclaimOrphans(member: StreamMember, writer: StreamClient | undefined): Promise<void> {
    const host = this.host;
    if (writer === undefined) return;
    const batch = host.members.takeOrphans(member.capacity());
    const now = Date.now();
    // 50 ms below this node's own measure of the idle time: Redis took the delivery time a little earlier.
    const wanted = batch.map(([id, orphan]): [string, number] => [id, Math.max(0, now - orphan.deliveredAt - 50)]);
    try {
      const entries = await claimEach(writer, host.address, member.consumer, wanted);
      const counts = new Map(batch.map(([id, orphan]) => [id, orphan.deliveryCount + 1]));
      host.dispatch(member, entries, counts);
    } catch (error) {
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    const { key } = this.host.address;
    if (!this.host.closed()) this.host.log.warn(`redis-streams-claim:${key}`, ERRORS.durableReadFailed(key, String(error)));
  }
}
