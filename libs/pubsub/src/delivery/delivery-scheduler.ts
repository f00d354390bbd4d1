import type { ChannelName } from '../vocabulary/channel-names.js';
import { Deque } from './deque.js';
import type { Runnable } from './runnable.js';

/** Served before the others on every turn: a metrics flood must not delay an alert. */
export const PRIORITY_CHANNELS: readonly ChannelName[] = ['alerts', 'security', 'audit'];

export interface SchedulerLimits {
  /** Handler calls started per event-loop turn at most. */
  turnBudget: number;
  /** Time one turn may take, so timers, I/O and priority channels get the loop back under a flood. */
  turnTimeMs: number;
  /** Deliveries one publication queue or mailbox may handle before the next ready one gets its turn. */
  mailboxSlice: number;
  /** Deliveries one non-priority channel may handle before the next channel gets its turn. */
  laneSlice: number;
}

/**
 * Slices of 4,096 deliveries (tens of microseconds with fast handlers; the turn's time still bounds slow ones):
 * with 256 and 1,024, each slice's return to the scheduler (its clock reads, the lane's bookkeeping, the queue's
 * run started again in the middle of a publication) cost a streaming fan-out to ten 10-15 % of its time.
 * Turns of 1 ms (were 2): what a priority message published during a flood waits for is the rest of the turn,
 * and with faster deliveries a 2 ms turn of the fairness spec's slow handlers came to hold 10,000 of them (the
 * spec's bound) under a loaded test run; 1 ms turns leave 600-4,700. Fast handlers meet the budget first.
 */
const DEFAULT_LIMITS: SchedulerLimits = { turnBudget: 65_536, turnTimeMs: 1, mailboxSlice: 4096, laneSlice: 4096 };

/**
 * Runs ready publication queues and mailbox backlogs outside the publisher's stack, on setImmediate turns.
 * Each channel has its own run queue: priority channels are served first, the others round-robin by slices,
 * so one channel's backlog cannot hold back another.
 */
export class DeliveryScheduler {
  private readonly priorityLanes: Deque<Runnable>[] = [];
  private readonly sharedLanes: Deque<Runnable>[] = [];
  private readonly laneOf = new Map<ChannelName, Deque<Runnable>>();
  private armed = false;
  private readonly limits: SchedulerLimits;

  constructor(channels: readonly ChannelName[], limits: Partial<SchedulerLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    for (const channel of channels) {
      const lane = new Deque<Runnable>();
      this.laneOf.set(channel, lane);
      (PRIORITY_CHANNELS.includes(channel) ? this.priorityLanes : this.sharedLanes).push(lane);
    }
  }

  schedule(work: Runnable): void {
    if (work.queued) return;
    work.queued = true;
    this.laneOf.get(work.channel)!.push(work);
    if (!this.armed) {
      this.armed = true;
      setImmediate(this.turn);
    }
  }

  private readonly turn = (): void => {
    this.armed = false;
    try {
      this.serveTurn(performance.now() + this.limits.turnTimeMs);
    } finally {
      // Even if a listener or logger threw mid-turn, queued mailboxes must not be stranded.
      if (!this.armed && this.hasWork()) {
        this.armed = true;
        setImmediate(this.turn);
      }
    }
  };

  private serveTurn(deadline: number): void {
    let budget = this.limits.turnBudget;
    for (const lane of this.priorityLanes) {
      let started = 1;
      while (budget > 0 && lane.length > 0 && started > 0) {
        started = this.serve(lane, budget, deadline);
        budget -= started;
      }
    }
    // Round-robin: each pass gives every busy lane one slice, until the budget, the time or the work runs out.
    let progressed = true;
    while (budget > 0 && progressed && performance.now() < deadline) {
      progressed = false;
      for (const lane of this.sharedLanes) {
        if (budget <= 0) break;
        const started = this.serve(lane, Math.min(budget, this.limits.laneSlice), deadline);
        if (started > 0) progressed = true;
        budget -= started;
      }
    }
  }

  /** Serves what is ready in a lane, each for at most one slice, until `budget` deliveries are handled. */
  private serve(lane: Deque<Runnable>, budget: number, deadline: number): number {
    let started = 0;
    let visits = lane.length;
    while (visits-- > 0 && started < budget) {
      // Many small mailboxes: look at the clock every 16 of them, not for each.
      if ((visits & 15) === 0 && performance.now() > deadline) break;
      const work = lane.shift()!;
      work.queued = false;
      try {
        started += work.run(Math.min(this.limits.mailboxSlice, budget - started), deadline);
      } finally {
        // Also when a logger or listener threw out of the run: what it left undone is served next turn.
        if (work.runnable && !work.queued) {
          work.queued = true;
          lane.push(work);
        }
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
