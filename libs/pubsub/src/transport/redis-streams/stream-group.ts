import type { ChannelName } from '../../channels/channel-names.js';
import type { PubSubMessage } from '../../channels/channel.types.js';
import type { ThrottledLog } from '../../delivery/throttled-log.js';
import type { DurableLag, DurableMemberOptions, DurableMembership } from '../../durable/durable-backend.js';
import { ERRORS } from '../../error-messages.js';
import { matchTopic } from '../../routing/match-topic.js';
import { GroupMembers, type DispatchIo } from './group-members.js';
import type { StreamClient } from './stream-client.js';
import { readNew, type GroupAddress } from './stream-commands.js';
import { StreamMember, type InFlight } from './stream-member.js';
import type { StreamEntry } from './stream-replies.js';
import { CREATE_GROUP } from './stream-scripts.js';
import { startPosition } from './stream-start.js';
import type { GroupSeeding, SeedingIo } from './group-seeding.js';
import { GroupClaims } from './group-claims.js';
import { GroupLag } from './group-lag.js';

/** What a group needs from the backend that owns it (the connections, verification, acknowledgements). */
export interface GroupIo {
  readonly nodeName: string;
  readonly log: ThrottledLog;
  /** The shared writer connection when it is ready. */
  writer(): StreamClient | undefined;
  /** A new connection of the group's own, for its blocking reads; undefined until the backend is open. */
  connect(name: string): StreamClient | undefined;
  /** Sends the appends waiting on the writer now, so a group created after them starts after them. */
  flushAppends(): void;
  /** Verifies and decodes an entry; a refused one is counted and reported there, and undefined returned. */
  read(channel: ChannelName, fields: unknown[] | null): PubSubMessage | undefined;
  ack(key: string, group: string, id: string): void;
  ackIfOwned(key: string, group: string, id: string, consumer: string): void;
  /** Consumers idle for longer than this with nothing pending are deleted from the group. */
  readonly idleConsumerMs: number;
  /** With the stream gate (publications appended only once a group exists): how a channel's first groups are made. */
  readonly seeding: { io: SeedingIo; groups: GroupSeeding } | undefined;
}

const BLOCK_MS = 1_000;
const IDLE_MS = 1_000;
const RETRY_MS = 250;
/**
 * Entries read beyond the members' free slots, so that a member with `concurrency: 1` does not pay a round trip
 * per message. Their ack-timeout clock (Redis's idle time) starts at the read: only with ack timeouts of a
 * second or more, where a bounded buffer drains well within it.
 */
const READ_AHEAD = 64;
const READ_AHEAD_MIN_ACK_TIMEOUT_MS = 1_000;

/**
 * One durable name on one channel, as seen from this node: its members here (a queue group with the members of
 * other nodes), a reader connection of its own that blocks on the stream for them, the deliveries of members
 * that left (reclaimed at once by a member that stays, before newer entries), and the lag for stats. It outlives
 * its members, like the group in Redis, so `lag` keeps reporting a name nobody runs.
 */
export class StreamGroup implements GroupAddress {
  private readonly members = new GroupMembers();
  private readonly dispatchIo: DispatchIo = {
    read: (fields) => this.io.read(this.channel, fields),
    skip: (id) => this.io.ack(this.key, this.durable, id),
    lost: (count) => this.reportLost(count),
  };
  private reader: StreamClient | undefined;
  private running: Promise<void> | undefined;
  private created = false;
  private createdOnce = false;
  private creating: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private idle = false;
  private closed = false;
  private unreportedLost = 0;
  private readonly lagOf: GroupLag;
  private readonly claims: GroupClaims;
  private nextMember = 1;
  private readonly instance = Math.random().toString(36).slice(2, 8);
  /**
   * The retention log's end when the first member joined, then before each read that succeeded: a group seeded
   * by this node starts there (recreated after Redis lost it: what came after its last read is delivered again).
   */
  private joinedAt: number;

  constructor(
    private readonly io: GroupIo,
    readonly channel: ChannelName,
    readonly key: string,
    readonly durable: string,
    private readonly first: DurableMemberOptions,
  ) {
    this.joinedAt = io.seeding?.io.retention(channel)?.log.end ?? 0;
    const host = {
      address: this,
      log: io.log,
      writer: () => (this.closed || !this.created ? undefined : this.io.writer()),
      closed: () => this.closed,
      reportLost: (count: number) => this.reportLost(count),
    };
    this.lagOf = new GroupLag({
      ...host,
      lostKey: this.lostKey,
      idleConsumerMs: io.idleConsumerMs,
      consumers: () => this.members.consumers(),
    });
    this.claims = new GroupClaims({
      ...host,
      members: this.members,
      ackTimeoutMs: () => this.members.ackTimeoutMs(this.first.ackTimeoutMs),
      dispatch: (member, entries, counts) => this.dispatch(member, entries, counts),
    });
  }

  get lostKey(): string {
    return `${this.key}:lost`;
  }

  join(options: DurableMemberOptions): DurableMembership {
    // The consumer's name in Redis: node, this group object (a restarted process gets new ones), member.
    const consumer = `${this.io.nodeName}:${this.instance}:${this.nextMember++}`;
    const member = new StreamMember(options, consumer, (id, delivery) => this.acknowledge(id, delivery));
    this.members.add(member);
    this.reportLost(0);
    if (!this.created) void this.ensureCreated();
    this.running ??= this.run();
    this.wake();
    const members = this.members;
    return {
      wake: () => this.wake(),
      leave: () => this.leave(member),
      get pending() {
        return member.inFlight.size + members.waitingFor(consumer);
      },
    };
  }

  lag(): DurableLag {
    return this.lagOf.current();
  }

  /** The writer (re)connected: the group may be gone (a Redis restarted empty). Resolves once it exists. */
  ensureCreated(): Promise<void> {
    this.creating ??= this.create().finally(() => (this.creating = undefined));
    return this.creating;
  }

  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  /** Entries idle for longer than the smallest ack timeout of the members here go to one with room. */
  claimIdle(now: number): Promise<void> {
    return this.claims.claimIdle(now);
  }

  /** Stats: pending, unread and the age of the oldest of them (see GroupLag). */
  refreshLag(): Promise<void> {
    return this.lagOf.refresh();
  }

  async close(waitMs: number): Promise<void> {
    this.closed = true;
    this.reader?.disconnect();
    this.wake();
    const running = this.running ?? Promise.resolve();
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
  }

  private async create(): Promise<void> {
    const writer = this.io.writer();
    if (writer === undefined || this.closed) return;
    const first = this.members.first?.options ?? this.first;
    if (this.io.seeding !== undefined && !(await this.seed(this.io.seeding, first))) return;
    try {
      // Appends this node made before subscribing are written first: a group at '$' starts after them.
      this.io.flushAppends();
      const start = this.createdOnce
        ? '0' // recreated (Redis lost it): whatever the new stream holds is newer than what the group had read
        : await startPosition(
            writer,
            this.key,
            first.replay,
            (topic) => first.patterns.some((p) => matchTopic(p, topic)),
            (fields) => this.io.read(this.channel, fields),
          );
      await writer.call('EVAL', CREATE_GROUP, 1, this.key, this.durable, start);
      this.created = true;
      this.createdOnce = true;
      this.wake();
    } catch (error) {
      if (!this.closed)
        this.io.log.warn(`redis-streams-group:${this.key}`, ERRORS.durableGroupFailed(this.durable, this.key, String(error)));
    }
  }

  /**
   * Through the stream gate: true when the channel has groups already (create this one as usual); false when it
   * was created here with the channel's first ones, or must be tried again (the run loop does).
   */
  private async seed(seeding: NonNullable<GroupIo['seeding']>, first: DurableMemberOptions): Promise<boolean> {
    try {
      const group = {
        channel: this.channel,
        key: this.key,
        durable: this.durable,
        joinedAt: this.joinedAt,
        // Recreated (Redis lost it): it starts after the history, as it had read what came before.
        replay: this.createdOnce ? undefined : first.replay,
        matches: (topic: string) => first.patterns.some((p) => matchTopic(p, topic)),
      };
      const outcome = await seeding.groups.seed(group, () => this.closed);
      if (outcome === 'ready') return true;
      if (outcome !== undefined) {
        this.created = true;
        this.createdOnce = true;
        this.reportLost(outcome.lost);
        this.wake();
      }
    } catch (error) {
      if (!this.closed) this.io.log.warn(`redis-streams-seed:${this.key}`, ERRORS.durableSeedFailed(this.durable, this.key, String(error)));
    }
    return false;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      // A subscription may join before the transport started: the reader connects once the backend is open.
      const reader = (this.reader ??= this.openReader());
      if (reader === undefined || !this.created || reader.status !== 'ready') {
        if (!this.created) void this.ensureCreated();
        await this.pause(RETRY_MS);
        continue;
      }
      const member = this.members.nextWithCapacity();
      if (member === undefined) {
        await this.pause(IDLE_MS);
        continue;
      }
      if (this.members.orphans.size > 0) await this.claims.reclaimOrphans(member, this.io.writer());
      else if (this.members.waitingCount > 0) {
        // Read ahead already: hand it out; read more only once it is gone (or wait for a matching member's slot).
        if (!this.members.handOut(this.dispatchIo)) await this.pause(IDLE_MS);
      } else this.idle = (await this.read(reader, member, this.idle ? BLOCK_MS : undefined)) === 0;
    }
  }

  private readAhead(): number {
    return this.members.ackTimeoutMs(this.first.ackTimeoutMs) >= READ_AHEAD_MIN_ACK_TIMEOUT_MS ? READ_AHEAD : 0;
  }

  private openReader(): StreamClient | undefined {
    const reader = this.io.connect(`${this.key}:${this.durable}`);
    reader?.on('ready', () => this.wake());
    return reader;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Reads new entries for `member` (blocking for up to `blockMs` when the group was idle); returns how many. */
  private async read(reader: StreamClient, member: StreamMember, blockMs: number | undefined): Promise<number> {
    // Everything this node accepted before the read was in the stream by then (appended with its bus frame).
    const readFrom = this.io.seeding?.io.retention(this.channel)?.log.end;
    try {
      const count = Math.max(1, member.capacity()) + this.readAhead();
      const { lost, entries, error } = await readNew(reader, this, this.lostKey, member.consumer, count, blockMs);
      this.reportLost(lost);
      if (error !== undefined) throw error;
      if (readFrom !== undefined) this.joinedAt = readFrom;
      this.dispatch(member, entries, undefined);
      return entries.length;
    } catch (error) {
      if (this.closed) return 0;
      if (String(error).includes('NOGROUP')) {
        this.created = false;
        void this.ensureCreated();
      } else {
        this.io.log.warn(`redis-streams-read:${this.key}`, ERRORS.durableReadFailed(this.key, String(error)));
        await this.pause(RETRY_MS);
      }
      return 0;
    }
  }

  private dispatch(member: StreamMember, entries: StreamEntry[], counts: Map<string, number> | undefined): void {
    this.members.dispatch(member, entries, counts, this.dispatchIo);
  }

  private acknowledge(id: string, delivery: InFlight): void {
    const ackTimeoutMs = this.members.ackTimeoutMs(this.first.ackTimeoutMs);
    // After half the ack timeout another node may claim it any moment: acknowledge only if it is still ours.
    if (Date.now() - delivery.deliveredAt < ackTimeoutMs / 2) this.io.ack(this.key, this.durable, id);
    else this.io.ackIfOwned(this.key, this.durable, id, delivery.consumer);
  }

  private leave(member: StreamMember): void {
    if (this.members.remove(member)) this.wake();
  }

  /** Reported to a member of this node; kept until one runs (the count was taken off the shared tally). */
  private reportLost(count: number): void {
    if (count > 0) this.unreportedLost += count;
    const member = this.members.first;
    if (member === undefined || this.unreportedLost === 0) return;
    member.options.lost(this.unreportedLost);
    this.unreportedLost = 0;
  }
}
