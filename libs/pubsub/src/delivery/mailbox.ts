import type { ChannelName } from '../vocabulary/channel-names.js';
import type { MessageHandler, OverflowPolicy, PubSubMessage, Subscription } from '../vocabulary/message.js';
import type { ChannelCounters } from './channel-counters.js';
import type { LatencyHistogram } from './latency-histogram.js';
export { FULLY_TIMED_CALLS, LATENCY_SAMPLE_EVERY } from './latency-histogram.js';
import { describeError, describeStack } from '../describe-error.js';
import { Deque } from './deque.js';
import { isThenable, onSettled } from './handler-outcome.js';
import { MailboxRetries, type RetryTarget } from './mailbox-retries.js';
import type { BatchProgress, DeliveryTarget } from './delivery-target.js';
import type { RetryBackoff } from './retry-backoff.js';
import type { Runnable } from './runnable.js';
import type { ThrottledLog } from './throttled-log.js';

export interface MailboxSettings extends RetryBackoff {
  mailboxSize: number;
  overflow: OverflowPolicy;
  concurrency: number;
  retries: number;
}

/**
 * Who may want to follow a handler call (publishAndWait): while `active` is 0 the mailbox calls its handler
 * directly, otherwise through `call`, which runs the handler and returns what it returned or throws what it threw.
 */
export interface HandlerWatch {
  readonly active: number;
  call(handler: MessageHandler, message: PubSubMessage, subscription: string): unknown;
}

/** What a mailbox needs from the channel that owns it. */
export interface MailboxHost {
  readonly name: ChannelName;
  readonly counters: ChannelCounters;
  readonly log: ThrottledLog;
  readonly watch: HandlerWatch;
  schedule(mailbox: Mailbox): void;
  /** Moves every delivery still waiting in the channel's publication queue into its mailbox's backlog. */
  spill(): void;
  /** Makes every mailbox's count of its deliveries waiting in the publication queue exact (see `shared`). */
  countShared(): void;
  release(mailbox: Mailbox): void;
  deadLetter(message: PubSubMessage, error: unknown, attempts: number, mailbox: Mailbox): void;
}

/**
 * One subscription's mailbox, as in an Erlang process: bounded, FIFO, with at most `concurrency` handler calls
 * in flight. A message accepted for it first waits in the channel's publication queue (counted in `shared`);
 * when its turn comes the handler is called directly if nothing older waits and a slot is free, otherwise the
 * message joins this mailbox's own backlog, which the scheduler drains. The mailbox is also the user's
 * Subscription handle, which keeps an idle subscription down to one object.
 */
export class Mailbox implements Subscription, DeliveryTarget, Runnable, RetryTarget {
  /** Set while the mailbox sits in the scheduler's run queue. */
  queued = false;
  /**
   * The backlog: messages whose turn came while older ones or a full concurrency held this subscription back.
   * Created when first needed, like `retries`: most subscriptions never fall behind.
   */
  private queue: Deque<PubSubMessage> | undefined;
  /**
   * Deliveries accepted for this subscription that still wait in the channel's publication queue, while the
   * queue counts them (PublicationQueue.countTargets); zero otherwise, and then `depth` asks it to start.
   */
  private shared = 0;
  private inFlight = 0;
  private calls = 0;
  private unsubscribed = false;
  /** Set at shutdown: nothing more runs, and outcomes that arrive later are ignored (already counted). */
  private abandoned = false;
  /** Created by the first failure: most subscriptions never retry. */
  private retrying: MailboxRetries | undefined;
  /** The channel's handler-duration histogram, held here: read on every call, it saves two loads through the host. */
  private readonly latency: LatencyHistogram;
  /**
   * Held here for the same reason. Checked in `call` rather than by a wrapper around the handler: the wrapper
   * cost about 3 ns per delivery (one closure per subscription in the loop the publication queue runs).
   */
  private readonly watch: HandlerWatch;

  constructor(
    readonly id: string,
    readonly patterns: string[],
    private readonly handler: MessageHandler,
    private readonly settings: MailboxSettings,
    private readonly host: MailboxHost,
  ) {
    this.latency = host.counters.latency;
    this.watch = host.watch;
  }

  get closed(): boolean {
    return this.unsubscribed;
  }

  /** Messages accepted and not yet handed to the handler, wherever they wait. */
  get depth(): number {
    this.host.countShared();
    return this.backlogged + this.shared;
  }

  /** Its bound, which the channel's publication-level check needs (Channel.noneFull). */
  get mailboxSize(): number {
    return this.settings.mailboxSize;
  }

  get channel(): ChannelName {
    return this.host.name;
  }

  /** Whether the scheduler can start a handler call now. */
  get runnable(): boolean {
    return this.backlogged > 0 && this.inFlight < this.settings.concurrency;
  }

  private get backlogged(): number {
    return this.queue === undefined ? 0 : this.queue.length;
  }

  unsubscribe(): void {
    if (this.unsubscribed) return;
    // Before closing: the discarded deliveries waiting in the publication queue must be counted in `shared`.
    this.host.countShared();
    this.unsubscribed = true;
    this.host.release(this);
    // Pending messages are discarded with the subscription: its handler is never called again. Those still
    // in the publication queue are skipped there (deliver and backlog ignore a closed mailbox).
    const pending = this.backlogged + this.shared;
    this.dropBacklog();
    this.shared = 0;
    for (let i = 0; i < pending; i++) this.host.counters.finish();
    // Waiting retries go with them; they were counted in handlerErrors and logged when their attempt failed.
    const waiting = this.retrying?.cancelWaiting() ?? 0;
    this.inFlight -= waiting;
    for (let i = 0; i < waiting; i++) this.host.counters.finish();
  }

  /**
   * Shutdown: discards the waiting messages and abandons the calls still running, whose outcome, whenever it
   * comes, is ignored and starts no retry. Returns how many messages that was; all are counted in `dropped`.
   */
  abandon(): number {
    if (this.abandoned) return 0;
    this.host.countShared();
    this.abandoned = true;
    this.unsubscribed = true;
    // A waiting retry holds a slot, so inFlight counts it once; its timer must not fire.
    this.retrying?.cancelWaiting();
    const discarded = this.backlogged + this.shared + this.inFlight + (this.retrying?.queuedCount ?? 0);
    this.dropBacklog();
    this.shared = 0;
    this.retrying?.dropQueued();
    this.inFlight = 0;
    const { counters } = this.host;
    if (discarded > 0) counters.count('dropped', discarded);
    for (let i = 0; i < discarded; i++) counters.finish();
    return discarded;
  }

  /**
   * At publish time: counts the message as waiting for this subscription and applies the bound. False when
   * drop-newest refuses it, and the publication must then not come here. The caller counts the accepted
   * deliveries as outstanding. Only while the publication queue counts (countShared), or for a mailbox no
   * queued publication targets yet (replay into a new subscription).
   */
  admit(message: PubSubMessage): boolean {
    // The full case lives in its own method: this runs once per delivery, inlined into the publisher's route loop.
    if (this.backlogged + this.shared >= this.settings.mailboxSize && !this.overflow(message)) return false;
    // counters.begin() is the caller's, once for the whole route.
    this.shared++;
    return true;
  }

  /** The mailbox is full: applies its policy; false when the new message is the one refused. */
  private overflow(message: PubSubMessage): boolean {
    // The policy needs every waiting message of this subscription in its backlog, the oldest first.
    if (this.shared > 0) this.host.spill();
    if (this.settings.overflow === 'drop-newest') {
      this.reportDrop(message, 'drop-newest');
      return false;
    }
    this.reportDrop(this.queue!.shift()!, 'drop-oldest');
    this.host.counters.backlogged--;
    this.host.counters.finish();
    return true;
  }

  /**
   * The publication's turn: the handler runs now unless older messages or a full concurrency hold it back.
   * A synchronous success is the queue's to count (see DeliveryTarget.deliver).
   */
  deliver(message: PubSubMessage, counted: boolean, startedAt: number): number {
    if (this.unsubscribed) return 0;
    if (counted) this.shared--;
    if (this.backlogged === 0 && this.inFlight < this.settings.concurrency) return this.first(message, startedAt);
    this.keep(message);
    return 0;
  }

  /**
   * DeliveryTarget.deliverBatch. While nothing holds this subscription back (what `deliver` and `first` check, and
   * no retry or publishAndWait around), the handler is called from this loop itself, as `invoke` would for a first
   * untimed attempt; anything else goes through `deliver`. Calling `deliver` here made the loop's speed a matter of
   * V8's inlining: TurboFan charges a callee that has optimized code of its own with everything that code inlined,
   * and `deliver`, once optimized alone (called from the loop while a deoptimization had it interpreted), no longer
   * fitted the loop's budget; the loop then paid a call per delivery. A fan-out to ten through forRoot() ran at
   * 139-224 ns per publication from one process to the next (bench/micro/dispatch.js, 12 processes, median 177)
   * with the loop in the publication queue calling `deliver`, and at 130-144 ns (median 140) with this loop.
   */
  deliverBatch(messages: readonly (PubSubMessage | undefined)[], count: number, counted: boolean, progress: BatchProgress): number {
    const epoch = progress.epoch;
    let handed = 0;
    // Looked at again only after a call that did not simply return: a backlog, a taken slot or a retry come from
    // outcomes handled here. What a returning handler can change is looked at before every call: its own
    // unsubscribe, a publishAndWait it opened (a spill or a close changes the epoch and ends the loop). Looking
    // at all five before every call cost the fan-out to ten 142.5 against 134 ns (dispatch.js, six pairs): V8
    // cannot keep a field read across a call into code it did not inline.
    let free = this.callsFreely();
    for (let next = progress.next; next < count; next++) {
      // Before the call: a handler that spills, counts or reads the depth sees this delivery as made.
      progress.next = next + 1;
      handed++;
      const message = messages[next]!;
      if (free && !this.unsubscribed && this.watch.active === 0) {
        if (counted) this.shared--;
        let outcome: unknown;
        let thenable: boolean;
        try {
          outcome = this.handler(message);
          thenable = isThenable(outcome);
        } catch (error) {
          this.fail(message, 1, error);
          free = this.callsFreely();
          if (progress.epoch !== epoch) break;
          continue;
        }
        if (thenable) {
          this.awaitOutcome(outcome as PromiseLike<unknown>, message, 1, 0);
          free = this.callsFreely();
        } else progress.succeeded++;
      } else {
        if (this.deliver(message, counted, 0) !== 0) progress.succeeded++;
        free = this.callsFreely();
      }
      if (progress.epoch !== epoch) break;
    }
    return handed;
  }

  /**
   * Whether the batch loop may call the handler itself as far as this subscription's own state goes: nothing in
   * its backlog, a free slot, and never a failure (a subscription that failed takes the general path, where its
   * retries decide).
   */
  private callsFreely(): boolean {
    return (
      (this.queue === undefined || this.queue.length === 0) && this.inFlight < this.settings.concurrency && this.retrying === undefined
    );
  }

  backlog(message: PubSubMessage, counted: boolean): void {
    if (this.unsubscribed) return;
    if (counted) this.shared--;
    this.keep(message);
  }

  countWaiting(): void {
    if (!this.unsubscribed) this.shared++;
  }

  private keep(message: PubSubMessage): void {
    (this.queue ??= new Deque()).push(message);
    this.host.counters.backlogged++;
    if (!this.queued && this.inFlight < this.settings.concurrency) this.host.schedule(this);
  }

  private dropBacklog(): void {
    this.host.counters.backlogged -= this.backlogged;
    this.queue = undefined;
  }

  /** Starts up to `budget` handler calls, stopping early past `deadline`; returns how many it started. */
  run(budget: number, deadline = Number.POSITIVE_INFINITY): number {
    if (this.unsubscribed) return 0;
    let started = 0;
    while (started < budget && this.inFlight < this.settings.concurrency) {
      const message = this.queue?.shift();
      if (message === undefined) break;
      this.host.counters.backlogged--;
      started++;
      if (this.first(message, this.sampledStart()) !== 0) this.succeed();
      // Reading the clock costs more than a fast handler, so check it every 32 calls.
      if ((started & 31) === 0 && performance.now() > deadline) break;
    }
    return started;
  }

  /**
   * A message's first attempt. Outside a running attempt the call goes straight to the handler: a failure
   * then enters the retry loop (MailboxRetries.attempt), one frame deeper and iterative from there, so the
   * common case pays for no retry loop. Returns what `invoke` does: a synchronous success is the caller's to
   * count.
   */
  private first(message: PubSubMessage, startedAt: number): number {
    const retrying = this.retrying;
    if (retrying === undefined || !retrying.attempting) return this.invoke(message, 1, startedAt);
    retrying.attempt(message, 1, startedAt);
    return 0;
  }

  /**
   * @internal RetryTarget. The latency sample decision for a call the publication queue did not decide for
   * (backlog, retries): the clock now if this call is timed, else 0 (see `invoke`).
   */
  sampledStart(): number {
    return this.latency.times(++this.calls) ? performance.now() : 0;
  }

  /** @internal RetryTarget. One attempt, counted whatever its outcome. */
  call(message: PubSubMessage, attempt: number, startedAt: number): void {
    if (this.invoke(message, attempt, startedAt) !== 0) this.succeed();
  }

  /**
   * Calls the handler; its failure or asynchronous outcome is handled and counted here. `startedAt`: the clock
   * when the call is timed, else 0. Returns 0 unless the handler returned synchronously without throwing: then
   * the success is the caller's to count, and the value is when a timed call ended, 1 if untimed. The
   * publication queue uses the end as the start of the next subscription's call (n + 1 clock reads for a
   * sampled publication to n subscriptions instead of 2n) and counts the publication's successes at once.
   */
  private invoke(message: PubSubMessage, attempt: number, startedAt: number): number {
    let outcome: unknown;
    let thenable: boolean;
    try {
      outcome = this.watch.active === 0 ? this.handler(message) : this.watch.call(this.handler, message, this.id);
      // Inside the try: a returned value whose `then` getter throws is the handler failing, not the scheduler.
      thenable = isThenable(outcome);
    } catch (error) {
      this.recordLatency(startedAt);
      this.fail(message, attempt, error);
      return 0;
    }
    if (thenable) {
      this.awaitOutcome(outcome as PromiseLike<unknown>, message, attempt, startedAt);
      return 0;
    }
    if (startedAt === 0) return 1;
    const endedAt = performance.now();
    this.latency.record(endedAt - startedAt);
    return endedAt;
  }

  /**
   * An asynchronous call: its slot stays taken until it settles. Out of `invoke` so that the synchronous path,
   * inlined into the publication queue's loop once per delivery, stays small enough for V8 to inline whole.
   */
  private awaitOutcome(outcome: PromiseLike<unknown>, message: PubSubMessage, attempt: number, startedAt: number): void {
    this.inFlight++;
    onSettled(outcome, (failed, error) => this.settled(message, attempt, startedAt, failed, error));
  }

  private recordLatency(startedAt: number): void {
    if (startedAt !== 0) this.latency.record(performance.now() - startedAt);
  }

  /** An asynchronous call's outcome; ignored once shutdown abandoned the call (counted in `dropped` then). */
  private settled(message: PubSubMessage, attempt: number, startedAt: number, failed: boolean, error: unknown): void {
    if (this.abandoned) return;
    this.recordLatency(startedAt);
    this.inFlight--;
    if (failed) this.fail(message, attempt, error);
    else this.succeed();
    this.resume();
  }

  /** @internal RetryTarget. A slot came free: the backlog gets its turn. */
  resume(): void {
    if (!this.queued && this.runnable) this.host.schedule(this);
  }

  private succeed(): void {
    this.host.counters.countDeliveredAll(1);
  }

  private fail(message: PubSubMessage, attempt: number, error: unknown): void {
    const { counters, log, name } = this.host;
    counters.count('handlerErrors');
    log.error(
      `handler-error:${name}:${this.id}`,
      `Handler of subscription ${this.id} on channel '${name}' failed on ${message.type} (topic ${message.topic}, attempt ${attempt} of ${this.settings.retries + 1}): ${describeError(error)}`,
      () => describeStack(error),
    );
    if (this.abandoned) {
      // Failed while shutdown abandoned the mailbox (a handler closing its own channel): no retry, no dead letter.
      counters.count('dropped');
      counters.finish();
      return;
    }
    if (attempt <= this.settings.retries) {
      (this.retrying ??= new MailboxRetries(this, this.settings)).retry(message, attempt + 1);
      return;
    }
    this.host.deadLetter(message, error, attempt, this);
    counters.finish();
  }

  /** @internal RetryTarget */
  holdSlot(): void {
    this.inFlight++;
  }

  /** @internal RetryTarget */
  releaseSlot(): void {
    this.inFlight--;
  }

  /** @internal RetryTarget */
  forget(): void {
    this.host.counters.finish();
  }

  private reportDrop(message: PubSubMessage, policy: OverflowPolicy): void {
    const { counters, log, name } = this.host;
    counters.count('dropped');
    log.warn(
      `dropped:${name}:${this.id}`,
      `Mailbox of subscription ${this.id} on channel '${name}' is full (${this.settings.mailboxSize}); ${policy} discarded ${message.type} on ${message.topic}`,
    );
  }
}
