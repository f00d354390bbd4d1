import type { ChannelName } from '../channels/channel-names.js';
import { Deque } from './deque.js';
import type { Mailbox } from './mailbox.js';

/** Served before the others on every turn: a metrics flood must not delay an alert. */
export const PRIORITY_CHANNELS: readonly ChannelName[] = ['alerts', 'security', 'audit'];

export interface SchedulerLimits {
  /** Handler calls started per event-loop turn, so timers and I/O keep running under a flood. */
  turnBudget: number;
  /** Calls one mailbox may start before the next ready mailbox gets its turn. */
  mailboxSlice: number;
}

const DEFAULT_LIMITS: SchedulerLimits = { turnBudget: 4096, mailboxSlice: 256 };

/**
 * Runs ready mailboxes outside the publisher's stack, on setImmediate turns. Each channel has its own run
 * queue: priority channels are served first, the others round-robin by slices, so one channel's backlog
 * cannot hold back another.
 */
export class DeliveryScheduler {
  private readonly priorityLanes: Deque<Mailbox>[] = [];
  private readonly sharedLanes: Deque<Mailbox>[] = [];
  private readonly laneOf = new Map<ChannelName, Deque<Mailbox>>();
  private armed = false;
  private readonly limits: SchedulerLimits;

  constructor(channels: readonly ChannelName[], limits: Partial<SchedulerLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    for (const channel of channels) {
      const lane = new Deque<Mailbox>();
      this.laneOf.set(channel, lane);
      (PRIORITY_CHANNELS.includes(channel) ? this.priorityLanes : this.sharedLanes).push(lane);
    }
  }

  schedule(mailbox: Mailbox): void {
    if (mailbox.queued) return;
    mailbox.queued = true;
    this.laneOf.get(mailbox.channel)!.push(mailbox);
    if (!this.armed) {
      this.armed = true;
      setImmediate(this.turn);
    }
  }

  private readonly turn = (): void => {
    this.armed = false;
    let budget = this.limits.turnBudget;
    for (const lane of this.priorityLanes) {
      let started = 1;
      while (budget > 0 && lane.length > 0 && started > 0) {
        started = this.serve(lane, budget, lane.length);
        budget -= started;
      }
    }
    // Round-robin: each pass gives every busy lane one slice, until the budget or the work runs out.
    let progressed = true;
    while (budget > 0 && progressed) {
      progressed = false;
      for (const lane of this.sharedLanes) {
        if (budget <= 0) break;
        const started = this.serve(lane, budget, 1);
        if (started > 0) progressed = true;
        budget -= started;
      }
    }
    if (!this.armed && this.hasWork()) {
      this.armed = true;
      setImmediate(this.turn);
    }
  };

  /** Serves up to `maxMailboxes` mailboxes of a lane, each for at most one slice. */
  private serve(lane: Deque<Mailbox>, budget: number, maxMailboxes: number): number {
    let started = 0;
    let visits = Math.min(lane.length, maxMailboxes);
    while (visits-- > 0 && started < budget) {
      const mailbox = lane.shift()!;
      mailbox.queued = false;
      started += mailbox.run(Math.min(this.limits.mailboxSlice, budget - started));
      if (mailbox.runnable && !mailbox.queued) {
        mailbox.queued = true;
        lane.push(mailbox);
      }
    }
    return started;
  }

  private hasWork(): boolean {
    for (const lane of this.priorityLanes) if (lane.length > 0) return true;
    for (const lane of this.sharedLanes) if (lane.length > 0) return true;
    return false;
  }
}
