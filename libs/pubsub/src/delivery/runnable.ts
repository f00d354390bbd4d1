import type { ChannelName } from '../vocabulary/channel-names.js';

/**
 * What the scheduler runs: a channel's queue of publications, or one subscription's backlog. Each belongs to
 * a channel, whose lane decides when it gets the loop.
 */
export interface Runnable {
  /** Set while it sits in the scheduler's run queue. */
  queued: boolean;
  readonly channel: ChannelName;
  /** Whether running it now would make progress. */
  readonly runnable: boolean;
  /** Handles up to `budget` deliveries, stopping early past `deadline`; returns how many it handled. */
  run(budget: number, deadline: number): number;
}
