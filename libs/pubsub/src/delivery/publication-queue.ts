import type { ChannelName } from '../vocabulary/channel-names.js';
import type { PubSubMessage } from '../vocabulary/message.js';
import type { ChannelCounters } from './channel-counters.js';
import { PairQueue } from './pair-queue.js';
import type { Runnable } from './runnable.js';

/**
 * Deliveries before the first look at the clock in a run; each later look doubles the count. The deliveries
 * between two looks take about as long as everything before them, so a run overshoots its deadline by at most
 * the time it had left when it started: slow handlers are noticed after 16 calls, fast ones cost a handful of
 * clock reads per run instead of one per 32 deliveries.
 */
const FIRST_CLOCK_READ = 16;

/**
 * Publications waiting before new ones are drafted (see pushDraft): a streaming producer's turn stays below it,
 * so its messages are built at publish as before, and only a burst holds drafts.
 */
const DRAFT_AFTER = 4096;

/**
 * What the queue needs from a subscription: take a delivery now, or keep it in its own backlog. `counted` says
 * whether the target counts this delivery among those waiting for it here (see PublicationQueue.countTargets).
 */
export interface DeliveryTarget {
  /**
   * Called when the publication's turn comes: runs the handler at once if it can, else keeps the message.
   * `startedAt`: the clock now if the queue decided to time this publication's calls, else 0. Returns 0 unless
   * the handler ran and returned synchronously without throwing; then the delivery is the queue's to count
   * (delivered and finished), and the value is when a timed call ended (the next target's start), 1 if untimed.
   */
  deliver(message: PubSubMessage, counted: boolean, startedAt: number): number;
  /** Moves the message into the subscription's own backlog without running anything. */
  backlog(message: PubSubMessage, counted: boolean): void;
  /** One more delivery waits here for this target (the queue starts counting, see countTargets). */
  countWaiting(): void;
}

/** A drafted publication's route and what its message is made of besides its id (see pushDraft). */
export interface DraftParts {
  readonly topic: string;
  readonly type: string;
  readonly payload: unknown;
  readonly timestamp: number;
  readonly targets: readonly DeliveryTarget[];
}

/** Builds a drafted publication's message at its turn (the channel's envelope, see pushDraft). */
export type MessageBuilder = (idSequence: number, parts: DraftParts) => PubSubMessage;

/**
 * One channel's accepted publications waiting for delivery: one entry per publication, holding the message
 * and its route, rather than one mailbox entry per subscription reached. When its turn comes, each target
 * with no backlog and a free concurrency slot has its handler called directly; only a subscription that fell
 * behind keeps messages of its own (see Mailbox).
 */
export class PublicationQueue implements Runnable {
  queued = false;
  /**
   * Each message with its route as the index cached it (shared), or a copy without the mailboxes that refused
   * it. Pairs side by side rather than { message, targets } objects: no allocation per publication. A drafted
   * publication is the pair (its id's sequence number, parts) until its turn builds the message and makes it
   * (message, targets): see pushDraft and firstMessage.
   */
  private readonly pending = new PairQueue<PubSubMessage | number, readonly DeliveryTarget[] | DraftParts>();
  /** Targets of the first publication already handled (a turn may end in the middle of one). */
  private cursor = 0;
  /** Counts spills, so that a delivery loop notices one happening under it. */
  private spills = 0;
  /** Deliveries of the waiting publications, those of the first one already handled included (see `cursor`). */
  private deliveriesHeld = 0;
  /**
   * Whether each target counts the deliveries waiting here for it. Counting costs two updates per delivery, and
   * nobody needs those counts while no mailbox can be full (the channel then skips the per-subscription bound):
   * so they are only taken when someone asks (countTargets), and kept exact until the queue is next empty.
   */
  private counted = false;
  /**
   * Synchronous handler calls of the publication being served that succeeded: the channel's counters take them
   * at once when its targets are done or the run ends (see countSucceeded), stats() adds them meanwhile.
   */
  private succeeded = 0;
  /** Publications whose turn came: numbers the latency sample decisions, one per publication. */
  private turns = 0;

  constructor(
    readonly channel: ChannelName,
    private readonly schedule: (queue: PublicationQueue) => void,
    private readonly counters: ChannelCounters,
    private readonly build: MessageBuilder,
  ) {}

  get runnable(): boolean {
    return this.pending.length > 0;
  }

  /** Publications waiting, the one a turn ended in the middle of included. */
  get length(): number {
    return this.pending.length;
  }

  /** Deliveries still waiting here, for every target. */
  get deliveries(): number {
    return this.deliveriesHeld - this.cursor;
  }

  /** Deliveries handled successfully and not yet in the channel's counters (see `succeeded`). */
  get uncountedDeliveries(): number {
    return this.succeeded;
  }

  /** Whether new publications should be drafted: so many wait that they are a burst (see pushDraft). */
  get drafting(): boolean {
    return this.pending.length >= DRAFT_AFTER;
  }

  /** Whether the targets count their waiting deliveries (see countTargets). */
  get counting(): boolean {
    return this.counted;
  }

  push(message: PubSubMessage, targets: readonly DeliveryTarget[]): void {
    this.pending.push(message, targets);
    this.deliveriesHeld += targets.length;
    if (!this.queued) this.schedule(this);
  }

  /**
   * A publication whose message nobody needs before its turn, like the one before it but for its id and
   * timestamp: the queue keeps its id's sequence number and the parts it shares with the publications around it
   * (route, topic, type, payload, timestamp), and builds the message once, for all its targets, when the turn
   * comes; false when it is not like the one before, and the caller builds the message now. A burst keeps every
   * publication alive until delivered; the young generation's scavenges copy each (twice, then promote it) and
   * the old generation they fill triggers full collections. Drafted, a publication keeps only its two queue
   * slots (the sequence number is a small integer held in the slot, not the id string's 32 B, nor the message's
   * 80 B), and consecutive ones share their parts (a burst's topic, type, payload and route, one timestamp per
   * 64 publications). 1,000,000 publications to ten subscriptions through forRoot(), publish + drain: 480-540 ->
   * 270-280 ms of CPU with drafts keeping the id string; in the suite's harness (bench/micro/row.ts) the sequence
   * number took that row from 284-293 to 205-216 ns per publication.
   */
  pushDraft(
    idSequence: number,
    topic: string,
    type: string,
    payload: unknown,
    timestamp: number,
    targets: readonly DeliveryTarget[],
  ): boolean {
    const { pending } = this;
    if (pending.length === 0) return false;
    // Unlike the publication queued before it, a draft would keep parts of its own, which cost about what its
    // message does (built at its turn besides): such a publication's message is built now. Two branches, so that
    // each reads its fields from one shape (parts, or a message): one read of the union measured +1 to +14 ns per
    // publication (three pairs).
    const before = pending.peekLastFirst();
    let parts: DraftParts;
    if (typeof before === 'number') {
      parts = pending.peekLastSecond() as DraftParts;
      if (parts.targets !== targets || parts.topic !== topic || parts.type !== type || parts.payload !== payload) return false;
      if (parts.timestamp !== timestamp) parts = { topic, type, payload, timestamp, targets };
    } else {
      if (pending.peekLastSecond() !== targets || before.topic !== topic || before.type !== type || before.payload !== payload)
        return false;
      parts = { topic, type, payload, timestamp, targets };
    }
    pending.push(idSequence, parts);
    this.deliveriesHeld += targets.length;
    if (!this.queued) this.schedule(this);
    return true;
  }

  /**
   * From now until the queue is next empty, every target counts the deliveries waiting here for it: a bound to
   * apply, a depth to report or discard. One pass over what waits now; a no-op while already counting.
   */
  countTargets(): void {
    if (this.counted) return;
    this.counted = true;
    let skip = this.cursor;
    this.pending.forEach((first, second) => {
      const targets = typeof first === 'number' ? (second as DraftParts).targets : (second as readonly DeliveryTarget[]);
      for (let i = skip; i < targets.length; i++) targets[i].countWaiting();
      skip = 0;
    });
  }

  run(budget: number, deadline: number): number {
    let handled = 0;
    let clockAt = FIRST_CLOCK_READ;
    serving: while (handled < budget) {
      if (this.succeeded !== 0) this.countSucceeded();
      const message = this.firstMessage();
      if (message === undefined) break;
      const targets = this.firstTargets();
      const spills = this.spills;
      // One latency sample decision per publication rather than per delivery: same share of calls timed.
      const timed = this.counters.latency.times(++this.turns);
      let mark = 0;
      while (this.cursor < targets.length) {
        const target = targets[this.cursor++];
        // `counted` is read each time: a handler may have made the queue start counting (countTargets). Two call
        // sites, so that V8 inlines the hot untimed one with a constant 0 start: no timing code left in the loop.
        // A timed call's end is the next one's start.
        if (timed) {
          mark = target.deliver(message, this.counted, mark !== 0 ? mark : performance.now());
          if (mark !== 0) this.succeeded++;
        } else if (target.deliver(message, this.counted, 0) !== 0) this.succeeded++;
        // A handler published meanwhile and made the queue spill: this publication went to the backlogs.
        if (this.spills !== spills) continue serving;
        if (++handled >= clockAt) {
          // Reading the clock costs more than a fast handler (see FIRST_CLOCK_READ).
          clockAt = handled * 2;
          if (performance.now() > deadline) break serving;
        }
        if (handled >= budget) break serving;
      }
      this.shiftFirst();
    }
    if (this.succeeded !== 0) this.countSucceeded();
    // A turn can end exactly after a publication's last target: do not leave it in the queue.
    if (this.cursor > 0 && this.pending.length > 0 && this.cursor === this.firstTargets().length) this.shiftFirst();
    return handled;
  }

  /**
   * One update of the counters for a publication's synchronous successes, instead of two per delivery (delivered,
   * and finished for drain()): about 3 % of a fan-out to ten subscriptions.
   */
  private countSucceeded(): void {
    this.counters.countDeliveredAll(this.succeeded);
    this.succeeded = 0;
  }

  /**
   * The oldest publication's message, built now if it was drafted, and kept in its entry with its route: a turn
   * may end in the middle of its targets, and the next turn must hand the rest the same message.
   */
  private firstMessage(): PubSubMessage | undefined {
    const first = this.pending.peekFirst();
    if (typeof first !== 'number') return first;
    const parts = this.pending.peekSecond() as DraftParts;
    const message = this.build(first, parts);
    this.pending.replaceFirstPair(message, parts.targets);
    return message;
  }

  /** The oldest publication's route, once firstMessage has made its entry a (message, targets) pair. */
  private firstTargets(): readonly DeliveryTarget[] {
    return this.pending.peekSecond() as readonly DeliveryTarget[];
  }

  /** Forgets every waiting publication; only for mailboxes that no longer take deliveries (shutdown). */
  clear(): void {
    this.pending.clear();
    this.cursor = 0;
    this.deliveriesHeld = 0;
    this.counted = false;
  }

  /**
   * The first publication is done with (a handler may have emptied the queue under it: then nothing to do).
   * The last one gone, every target's count is zero and counting stops. Only here: a spill empties the queue
   * in the middle of the publisher's admissions, whose counts are not in the queue yet.
   */
  private shiftFirst(): void {
    if (this.pending.length > 0) {
      this.deliveriesHeld -= this.firstTargets().length;
      this.pending.shift();
    }
    this.cursor = 0;
    if (this.pending.length === 0) this.counted = false;
  }

  /**
   * Hands every waiting delivery to its subscription's own backlog, in order. A subscription about to
   * overflow needs its waiting messages in one place to apply its policy (and the memory they hold must stay
   * bounded by its mailboxSize), so this runs the first time one is full while it still has messages here.
   */
  spill(): void {
    this.spills++;
    const counted = this.counted;
    for (let message = this.firstMessage(); message !== undefined; message = this.firstMessage()) {
      const targets = this.firstTargets();
      this.pending.shift();
      for (let i = this.cursor; i < targets.length; i++) targets[i].backlog(message, counted);
      this.cursor = 0;
    }
    this.deliveriesHeld = 0;
  }
}
