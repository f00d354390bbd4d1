import type { PubSubMessage } from '../vocabulary/message.js';
import { Deque } from './deque.js';
import { retryDelay, WaitingRetries, type RetryBackoff } from './retry-backoff.js';

interface Retry {
  message: PubSubMessage;
  attempt: number;
}

/** What a subscription's retries need from its mailbox. */
export interface RetryTarget {
  /** Unsubscribed or abandoned: the handler is not called again. */
  readonly closed: boolean;
  /** One handler call (see Mailbox.call); a failure comes back to the mailbox, which may ask for a retry. */
  call(message: PubSubMessage, attempt: number, startedAt: number): void;
  /** The clock now if this call is latency-sampled, else 0. */
  sampledStart(): number;
  /** A retry waiting out its backoff keeps its message's concurrency slot. */
  holdSlot(): void;
  /** The wait is over; the retry runs next, then the backlog may resume. */
  releaseSlot(): void;
  resume(): void;
  /** A retry that will not run: its delivery is finished (counted when its attempt failed). */
  forget(): void;
}

/**
 * A subscription's retries, created by its first failure: most subscriptions never need one. Retries asked for
 * while a handler call runs (a synchronous throw, a thenable calling back from inside `then`) queue up and the
 * running loop takes them, so the stack stays flat whatever `retries` is; those with a backoff wait on timers.
 */
export class MailboxRetries {
  /** Set while `attempt` runs a handler call: a retry asked for meanwhile waits in `queued` instead of recursing. */
  attempting = false;
  private queued: Deque<Retry> | undefined;
  /** Retries waiting out their backoff, each holding the concurrency slot of its message (see `later`). */
  private waiting: WaitingRetries | undefined;

  constructor(
    private readonly target: RetryTarget,
    private readonly backoff: RetryBackoff,
  ) {}

  /** Retries queued behind the running call. */
  get queuedCount(): number {
    return this.queued?.length ?? 0;
  }

  /**
   * Runs one handler call and, iteratively, every retry that call asks for synchronously; retries asked for
   * later (a real promise rejecting) come back here on a fresh stack.
   */
  attempt(message: PubSubMessage, attempt: number, startedAt: number): void {
    if (this.attempting) {
      (this.queued ??= new Deque()).push({ message, attempt });
      return;
    }
    this.attempting = true;
    try {
      // The first call needs no Retry record: this runs once per failed delivery's retry.
      this.target.call(message, attempt, startedAt);
      for (let next = this.queued?.shift(); next !== undefined; next = this.queued?.shift()) {
        this.target.call(next.message, next.attempt, this.target.sampledStart());
      }
    } finally {
      this.attempting = false;
    }
  }

  /** Attempt number `attempt` of a message whose previous one failed: at once without a backoff, else later. */
  retry(message: PubSubMessage, attempt: number): void {
    if (this.backoff.retryDelayMs === 0) this.attempt(message, attempt, this.target.sampledStart());
    else this.later(message, attempt);
  }

  /** Cancels the retries waiting out their backoff; returns how many, for the mailbox to account for. */
  cancelWaiting(): number {
    return this.waiting?.cancel() ?? 0;
  }

  /** Shutdown: the queued retries are discarded (the mailbox counted them). */
  dropQueued(): void {
    this.queued = undefined;
  }

  /**
   * The retry waits on a timer, off every stack and queue, so other subscriptions and channels never wait for
   * it. It keeps its message's concurrency slot meanwhile: with concurrency 1 the subscription stays FIFO (later
   * messages wait behind the retry); with more, the other slots keep delivering. At most `concurrency` retries
   * wait per subscription, and the mailbox bound applies to what arrives behind them.
   */
  private later(message: PubSubMessage, attempt: number): void {
    const { target } = this;
    if (target.closed) {
      // Unsubscribed while this attempt ran: the handler is not called again.
      target.forget();
      return;
    }
    target.holdSlot();
    const { retryDelayMs, retryMaxDelayMs } = this.backoff;
    (this.waiting ??= new WaitingRetries()).start(retryDelay(attempt - 1, retryDelayMs, retryMaxDelayMs), () => {
      target.releaseSlot();
      this.attempt(message, attempt, target.sampledStart());
      target.resume();
    });
  }
}
