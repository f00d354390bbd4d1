import type { ChannelName } from '../vocabulary/channel-names.js';
import type { PubSubMessage } from '../vocabulary/message.js';
import type { ChannelCounters } from './channel-counters.js';
import { PairQueue } from './pair-queue.js';
import type { Runnable } from './runnable.js';
import { BatchProgress, type DeliveryTarget, type DraftParts, type MessageBuilder } from './delivery-target.js';

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
 * Publications served as one batch at most (see serveBatch); a batch also ends where a sampled publication
 * would be timed, so it stays below the latency sample period.
 */
const MAX_BATCH = 256;
const MAX_PROBE_GAP = 64;

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
  /** Publications whose turn came: numbers the latency sample decisions, one per publication. */
  private turns = 0;
  /**
   * The oldest publications, sharing one route, being served as a batch subscription by subscription (see
   * serveBatch): how many (0: none), and the target being served (`progress.next`: how many it has been handed).
   */
  private batch = 0;
  private batchTarget = 0;
  /** The batch's messages, oldest first (slots past `batch` are empty). */
  private readonly batchMessages: (PubSubMessage | undefined)[] = [];
  /** Where the batch stands, and the successes not yet counted: shared with the target the batch is serving. */
  private readonly progress = new BatchProgress();
  /**
   * Publications to serve before looking for a batch again, and how many the next miss skips: a queue whose
   * consecutive routes differ (many topics, many patterns) looks at one publication in up to MAX_PROBE_GAP
   * instead of every one (that look cost such a queue 3-4 % per publication).
   */
  private probeIn = 0;
  private probeGap = 1;

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
    return this.deliveriesHeld - this.cursor - (this.batchTarget * this.batch + this.progress.next);
  }

  /** Deliveries handled successfully and not yet in the channel's counters (see BatchProgress.succeeded). */
  get uncountedDeliveries(): number {
    return this.progress.succeeded;
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
    this.progress.epoch++;
    let index = 0;
    this.pending.forEach((first, second) => {
      const targets = typeof first === 'number' ? (second as DraftParts).targets : (second as readonly DeliveryTarget[]);
      for (let i = this.servedTargets(index++); i < targets.length; i++) targets[i].countWaiting();
    });
  }

  /**
   * How many of the targets of the publication `index` places after the oldest have had their turn: those
   * before the cursor for the oldest, those a batch has served for a batch's publications, none for the rest.
   */
  private servedTargets(index: number): number {
    if (index < this.batch) return index < this.progress.next ? this.batchTarget + 1 : this.batchTarget;
    return index === 0 ? this.cursor : 0;
  }

  run(budget: number, deadline: number): number {
    let handled = 0;
    let clockAt = FIRST_CLOCK_READ;
    serving: while (handled < budget) {
      if (this.progress.succeeded !== 0) this.countSucceeded();
      let message: PubSubMessage | undefined;
      if (this.batch === 0) {
        message = this.firstMessage();
        if (message === undefined) break;
        if (this.cursor === 0 && (this.probeIn === 0 || --this.probeIn === 0) && this.pending.headRun > 1) {
          this.probeBatch(Math.min(budget, clockAt) - handled);
        }
      }
      if (this.batch > 0) {
        handled += this.serveBatch();
        // The clock is looked at as often as without batches: a batch fits in what is left until the next look.
        if (handled >= clockAt) {
          clockAt = handled * 2;
          if (performance.now() > deadline) break;
        }
        continue;
      }
      message = message!;
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
          if (mark !== 0) this.progress.succeeded++;
        } else if (target.deliver(message, this.counted, 0) !== 0) this.progress.succeeded++;
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
    if (this.progress.succeeded !== 0) this.countSucceeded();
    // A turn can end exactly after a publication's last target: do not leave it in the queue.
    if (this.cursor > 0 && this.pending.length > 0 && this.cursor === this.firstTargets().length) this.shiftFirst();
    return handled;
  }

  /** The next publication's route decides: a batch from the oldest, or fewer looks for one for a while. */
  private probeBatch(room: number): void {
    if (this.sameRoute(1, this.firstTargets())) {
      this.probeGap = 1;
      this.startBatch(room);
      return;
    }
    this.probeIn = this.probeGap;
    if (this.probeGap < MAX_PROBE_GAP) this.probeGap *= 2;
  }

  /**
   * Makes the oldest publications a batch (see serveBatch) when at least two in a row share the oldest one's
   * route, their deliveries fit in `room`, and none of them is to be timed; builds the drafted ones' messages.
   */
  private startBatch(room: number): void {
    const { pending } = this;
    const targets = this.firstTargets();
    const most = Math.min(
      MAX_BATCH,
      pending.headRun,
      Math.floor(room / targets.length),
      this.counters.latency.untimedAhead(this.turns + 1),
    );
    if (most < 2) return;
    const messages = this.batchMessages;
    messages[0] = pending.firstAt(0) as PubSubMessage;
    let count = 1;
    while (count < most && this.sameRoute(count, targets)) {
      let message = pending.firstAt(count);
      if (typeof message === 'number') {
        message = this.build(message, pending.secondAt(count) as DraftParts);
        pending.replaceAt(count, message, targets);
      }
      messages[count++] = message;
    }
    this.batch = count;
    this.turns += count;
  }

  /**
   * Whether the publication `index` places after the oldest (in the head chunk) has the route `targets`: the same
   * cached route (one topic), or one subscription on both (one subscriber's topics).
   */
  private sameRoute(index: number, targets: readonly DeliveryTarget[]): boolean {
    const second = this.pending.secondAt(index);
    const route = typeof this.pending.firstAt(index) === 'number' ? (second as DraftParts).targets : (second as readonly DeliveryTarget[]);
    return route === targets || (targets.length === 1 && route.length === 1 && route[0] === targets[0]);
  }

  /**
   * Serves the batch one target at a time, each handed every message of the batch in order, rather than one
   * publication at a time to every target: the same deliveries, each subscription's in the same order (only
   * the interleaving across subscriptions differs), with the per-publication work (its turn, its counters,
   * its shift) once per batch, and each target's loop over the batch its own (DeliveryTarget.deliverBatch). A
   * fan-out to ten: 179-215 -> 137-167 ns per publication (bench/micro/workload.ts). Returns the deliveries handed
   * out; stops early when a spill took the rest. The state lives in fields and in `progress`, so that a run ended
   * by an exception resumes the batch where it stopped.
   */
  private serveBatch(): number {
    const { pending, batchMessages: messages, progress } = this;
    const targets = this.firstTargets();
    const epoch = progress.epoch;
    // Read once: counting that starts under the loop changes the epoch, and the batch resumes with it read again.
    const counted = this.counted;
    const count = this.batch;
    let handed = 0;
    for (let t = this.batchTarget; t < targets.length; t++) {
      this.batchTarget = t;
      handed += targets[t].deliverBatch(messages, count, counted, progress);
      if (progress.epoch !== epoch) return handed;
      progress.next = 0;
    }
    for (let i = 0; i < count; i++) {
      this.deliveriesHeld -= targets.length;
      pending.shift();
    }
    this.endBatch();
    if (pending.length === 0) this.counted = false;
    return handed;
  }

  /** The batch is done, or taken from under its loop (spill, clear): forgotten, and its loop told. */
  private endBatch(): void {
    this.batchMessages.fill(undefined, 0, this.batch);
    this.batch = this.batchTarget = this.progress.next = 0;
    this.progress.epoch++;
  }

  /**
   * One update of the counters for a publication's synchronous successes, instead of two per delivery (delivered,
   * and finished for drain()): about 3 % of a fan-out to ten subscriptions.
   */
  private countSucceeded(): void {
    this.counters.countDeliveredAll(this.progress.succeeded);
    this.progress.succeeded = 0;
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
    // A delivery loop running under this (a handler closing its channel) stops as after a spill.
    this.spills++;
    this.endBatch();
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
    let index = 0;
    for (let message = this.firstMessage(); message !== undefined; message = this.firstMessage()) {
      const targets = this.firstTargets();
      // Per target in publication order: each subscription's backlog gets its messages oldest first.
      for (let i = this.servedTargets(index++); i < targets.length; i++) targets[i].backlog(message, counted);
      this.pending.shift();
      this.cursor = 0;
    }
    this.endBatch();
    this.deliveriesHeld = 0;
  }
}
