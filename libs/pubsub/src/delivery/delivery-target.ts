import type { PubSubMessage } from '../vocabulary/message.js';

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
  /**
   * A batch's messages for this target (PublicationQueue.serveBatch): `deliver` for each of
   * `messages[progress.next .. count)` in order, `progress.next` moved past each before its call and each
   * synchronous success added to `progress.succeeded`; stops after a call that changed `progress.epoch`.
   * Returns how many messages it took.
   */
  deliverBatch(messages: readonly (PubSubMessage | undefined)[], count: number, counted: boolean, progress: BatchProgress): number;
  /** Moves the message into the subscription's own backlog without running anything. */
  backlog(message: PubSubMessage, counted: boolean): void;
  /** One more delivery waits here for this target (the queue starts counting, see countTargets). */
  countWaiting(): void;
}

/**
 * Where a publication queue's batch stands, shared with the target serving it: a handler that re-enters the
 * queue (spills, counts, reads a depth or the stats) sees every call made so far.
 */
export class BatchProgress {
  /** Messages of the batch the current target has been handed. */
  next = 0;
  /** Changed by whatever the batch's loop must notice under it: a spill or a clear took it, or counting began. */
  epoch = 0;
  /** Synchronous successes not yet in the channel's counters (PublicationQueue.countSucceeded). */
  succeeded = 0;
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
