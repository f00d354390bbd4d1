import type { ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import { PairQueue } from './pair-queue.js';
import type { Runnable } from './runnable.js';

/**
 * Deliveries before the first look at the clock in a run; each later look doubles the count. The deliveries
 * between two looks take about as long as everything before them, so a run overshoots its deadline by at most
 * the time it had left when it started: slow handlers are noticed after 16 calls, fast ones cost a handful of
 * clock reads per run instead of one per 32 deliveries.
 */
const FIRST_CLOCK_READ = 16;

/** What the queue needs from a subscription: take a delivery now, or keep it in its own backlog. */
export interface DeliveryTarget {
  /** Called when the publication's turn comes: runs the handler at once if it can, else keeps the message. */
  deliver(message: PubSubMessage): void;
  /** Moves the message into the subscription's own backlog without running anything. */
  backlog(message: PubSubMessage): void;
}

/**
 * One channel's accepted publications waiting for delivery: one entry per publication, holding the message
 * and its route, rather than one mailbox entry per subscription reached. When its turn comes, each target
 * with no backlog and a free concurrency slot has its handler called directly; only a subscription that fell
 * behind keeps messages of its own (see Mailbox).
 */
export class PublicationQueue implements Runnable {
  queued = false;
  /**
   * Each message with its route as the index cached it (shared, frozen), or a copy without the mailboxes that
   * refused it. Pairs side by side rather than { message, targets } objects: no allocation per publication.
   */
  private readonly pending = new PairQueue<PubSubMessage, readonly DeliveryTarget[]>();
  /** Targets of the first publication already handled (a turn may end in the middle of one). */
  private cursor = 0;
  /** Counts spills, so that a delivery loop notices one happening under it. */
  private spills = 0;

  constructor(
    readonly channel: ChannelName,
    private readonly schedule: (queue: PublicationQueue) => void,
  ) {}

  get runnable(): boolean {
    return this.pending.length > 0;
  }

  push(message: PubSubMessage, targets: readonly DeliveryTarget[]): void {
    this.pending.push(message, targets);
    if (!this.queued) this.schedule(this);
  }

  run(budget: number, deadline: number): number {
    let handled = 0;
    let clockAt = FIRST_CLOCK_READ;
    serving: while (handled < budget) {
      const message = this.pending.peekFirst();
      if (message === undefined) break;
      const targets = this.pending.peekSecond();
      const spills = this.spills;
      while (this.cursor < targets.length) {
        targets[this.cursor++].deliver(message);
        // A handler published meanwhile and made the queue spill: this publication went to the backlogs.
        if (this.spills !== spills) continue serving;
        if (++handled >= clockAt) {
          // Reading the clock costs more than a fast handler (see FIRST_CLOCK_READ).
          clockAt = handled * 2;
          if (performance.now() > deadline) break serving;
        }
        if (handled >= budget) break serving;
      }
      this.pending.shift();
      this.cursor = 0;
    }
    // A turn can end exactly after a publication's last target: do not leave it in the queue.
    if (this.cursor > 0 && this.pending.length > 0 && this.cursor === this.pending.peekSecond().length) {
      this.pending.shift();
      this.cursor = 0;
    }
    return handled;
  }

  /** Forgets every waiting publication; only for mailboxes that no longer take deliveries (shutdown). */
  clear(): void {
    this.pending.clear();
    this.cursor = 0;
  }

  /**
   * Hands every waiting delivery to its subscription's own backlog, in order. A subscription about to
   * overflow needs its waiting messages in one place to apply its policy (and the memory they hold must stay
   * bounded by its mailboxSize), so this runs the first time one is full while it still has messages here.
   */
  spill(): void {
    this.spills++;
    for (let message = this.pending.peekFirst(); message !== undefined; message = this.pending.peekFirst()) {
      const targets = this.pending.peekSecond();
      this.pending.shift();
      for (let i = this.cursor; i < targets.length; i++) targets[i].backlog(message);
      this.cursor = 0;
    }
  }
}
