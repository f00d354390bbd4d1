import { DEFAULT_DRAIN_TIMEOUT_MS, startDeadline } from '../delivery/drain-timeout.js';
import { isThenable, onSettled } from '../delivery/handler-outcome.js';
import type { HandlerWatch, Mailbox } from '../delivery/mailbox.js';
import { describeError } from '../describe-error.js';
import { ERRORS } from '../error-messages.js';
import type {
  MessageHandler,
  PublishAndWaitAccepted,
  PublishAndWaitOptions,
  PublishAndWaitResult,
  PublishResult,
  PubSubMessage,
} from './channel.types.js';

export const DEFAULT_PUBLISH_WAIT_MS = DEFAULT_DRAIN_TIMEOUT_MS;

/** One subscription a waited publication reached on this node. */
interface Reach {
  readonly wait: Wait;
  readonly key: string;
  /**
   * The mailbox still holding the message (its handler has not started on it), with the messages it admitted
   * since: once its depth is no larger than that, the message has left it without a handler call (drop-oldest).
   */
  mailbox: Mailbox | undefined;
  admittedSince: number;
  /** The handler's last call on the message threw or rejected: a retry or a dead letter comes next. */
  lastCallFailed: boolean;
  /** Unsubscribed while the handler had the message: a failing call then gets no delayed retry. */
  released: boolean;
}

interface Wait {
  id: string | undefined;
  readonly reaches: Map<string, Reach>;
  delivered: number;
  failed: number;
  resolve: ((result: PublishAndWaitAccepted) => void) | undefined;
  cancelDeadline: (() => void) | undefined;
}

const reachOf = (wait: Wait, key: string): Reach => ({
  wait,
  key,
  mailbox: undefined,
  admittedSince: 0,
  lastCallFailed: false,
  released: false,
});

/**
 * timeoutMs and local from publishAndWait's options, or the error text refusing them. Anything but an object is
 * left to publish, which refuses it the way it refuses any bad options.
 */
export function waitOptionsOf(options: unknown): { timeoutMs: number; local: boolean } | string {
  if (options === null || typeof options !== 'object') return { timeoutMs: DEFAULT_PUBLISH_WAIT_MS, local: false };
  try {
    const { timeoutMs = DEFAULT_PUBLISH_WAIT_MS, local } = options as PublishAndWaitOptions;
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) return ERRORS.invalidPublishAndWaitTimeout(timeoutMs);
    return { timeoutMs, local: local === true };
  } catch (error) {
    return describeError(error);
  }
}

/** The key of a durable group in a wait: the group handles each message once, whichever member takes it. */
export const durableWaitKey = (durable: string): string => `durable:${durable}`;

/**
 * publishAndWait's bookkeeping for one channel: which publications are waited for, which subscriptions each
 * reached, and how each ended. Handlers are wrapped once at subscribe time; while no wait is open the wrapper
 * only reads `active`, and the channel asks nothing of this class on publish beyond that same check.
 */
export class PublishWaits implements HandlerWatch {
  /** Open waits, the one being published included. */
  active = 0;
  private readonly byId = new Map<string, Wait>();
  /** Reaches whose mailbox still holds the message, per mailbox. */
  private readonly unstarted = new Map<Mailbox, Set<Reach>>();
  /** The wait whose publication is being accepted right now; its route attaches the reaches. */
  private opening: Wait | undefined;

  /**
   * The handler as a durable subscription runs it: tells the open waits when it finished one of their messages.
   * A mailbox needs no wrapper: it checks `active` and goes through `call` itself.
   */
  wrap(handler: MessageHandler, key: string): MessageHandler {
    return (message) => (this.active === 0 ? handler(message) : this.call(handler, message, key));
  }

  /** Marks the next publication routed on this channel as waited for; `settle` follows in the same call. */
  open(): void {
    this.active++;
    this.opening = { id: undefined, reaches: new Map(), delivered: 0, failed: 0, resolve: undefined, cancelDeadline: undefined };
  }

  /**
   * The opened publication's outcome. Refused: the wait is forgotten. Accepted: it resolves once every reach
   * (the routed mailboxes, plus `durableKeys`, the durable groups with a member here) finished, or at the deadline.
   */
  settle(result: PublishResult, durableKeys: readonly string[], timeoutMs: number): Promise<PublishAndWaitResult> {
    const wait = this.opening!;
    this.opening = undefined;
    if (!result.ok) {
      this.forget(wait);
      return Promise.resolve(result);
    }
    wait.id = result.id;
    for (const key of durableKeys) wait.reaches.set(key, reachOf(wait, key));
    if (wait.reaches.size === 0) {
      this.forget(wait);
      return Promise.resolve(this.resultOf(wait, 0));
    }
    return new Promise((resolve) => {
      wait.resolve = resolve;
      wait.cancelDeadline = startDeadline(timeoutMs, () => this.end(wait, 'timedOut'));
    });
  }

  /**
   * A publication was routed (only called while a wait is open): drop-oldest may have pushed a waited message
   * out of a mailbox, and the opened publication learns its reaches. `route` is the part of `targets` that
   * admitted the message; drop-newest refused it on the others.
   */
  routed(message: PubSubMessage, targets: readonly Mailbox[], route: readonly Mailbox[]): void {
    if (this.unstarted.size > 0) this.countAdmissions(targets, route);
    const wait = this.opening;
    if (wait === undefined || wait.id !== undefined) return;
    wait.id = message.id;
    this.byId.set(message.id, wait);
    for (const mailbox of targets) {
      if (wait.reaches.has(mailbox.id)) continue;
      const reach = reachOf(wait, mailbox.id);
      wait.reaches.set(mailbox.id, reach);
      if (route === targets || route.includes(mailbox)) this.holdIn(mailbox, reach);
      else this.fail(reach);
    }
  }

  /**
   * The mailbox was unsubscribed: what it still held is discarded with it, and so is a retry waiting out its
   * delay (unsubscribe cancels it); a call still running goes on, but a failure gets no delayed retry now.
   */
  released(mailbox: Mailbox): void {
    const held = this.unstarted.get(mailbox);
    if (held !== undefined) for (const reach of [...held]) this.fail(reach);
    for (const wait of [...this.byId.values()]) {
      const reach = wait.reaches.get(mailbox.id);
      if (reach === undefined) continue;
      if (reach.lastCallFailed) this.fail(reach);
      else reach.released = true;
    }
  }

  /** Dead-lettered (the handler failed its last attempt): that reach failed. */
  deadLettered(id: string, key: string): void {
    const reach = this.byId.get(id)?.reaches.get(key);
    if (reach !== undefined) this.fail(reach);
  }

  /** The channel closed: no handler runs again, so every unfinished reach failed (counted in `dropped`). */
  close(): void {
    for (const wait of [...this.byId.values()]) this.end(wait, 'failed');
  }

  /** Runs `handler` on a message of subscription (or durable group) `key`, telling the waits how it ended. */
  call(handler: MessageHandler, message: PubSubMessage, key: string): unknown {
    const reach = this.byId.get(message.id)?.reaches.get(key);
    if (reach === undefined) return handler(message);
    this.leaveMailbox(reach);
    reach.lastCallFailed = false;
    // A failure goes to the subscription as it is: it retries, then dead-letters (deadLettered ends the reach).
    let outcome: unknown;
    let thenable: boolean;
    try {
      outcome = handler(message);
      thenable = isThenable(outcome);
    } catch (error) {
      this.callFailed(reach);
      throw error;
    }
    if (!thenable) {
      this.succeed(reach);
      return outcome;
    }
    return new Promise((resolve, reject) => {
      onSettled(outcome as PromiseLike<unknown>, (failed, error) => {
        if (failed) {
          this.callFailed(reach);
          reject(error);
          return;
        }
        // The subscription counts the delivery in a reaction to this promise: queued first, it runs before
        // the publisher's await returns, so stats already show it then.
        resolve(undefined);
        this.succeed(reach);
      });
    });
  }

  private callFailed(reach: Reach): void {
    reach.lastCallFailed = true;
    if (!reach.released) return;
    // An immediate retry still runs after unsubscribe, within the turn that saw the failure (it clears the
    // flag); a delayed one does not, and nothing else would end this reach.
    setImmediate(() => {
      if (reach.lastCallFailed) this.fail(reach);
    });
  }

  private countAdmissions(targets: readonly Mailbox[], route: readonly Mailbox[]): void {
    for (const mailbox of targets) {
      const held = this.unstarted.get(mailbox);
      if (held === undefined) continue;
      const admitted = route === targets || route.includes(mailbox);
      for (const reach of [...held]) {
        if (admitted) reach.admittedSince++;
        // Mailboxes are FIFO: while the waited message is in, it and everything admitted after it are too.
        if (mailbox.depth <= reach.admittedSince) this.fail(reach);
      }
    }
  }

  private holdIn(mailbox: Mailbox, reach: Reach): void {
    reach.mailbox = mailbox;
    let held = this.unstarted.get(mailbox);
    if (held === undefined) {
      held = new Set();
      this.unstarted.set(mailbox, held);
    }
    held.add(reach);
  }

  private leaveMailbox(reach: Reach): void {
    const mailbox = reach.mailbox;
    if (mailbox === undefined) return;
    reach.mailbox = undefined;
    const held = this.unstarted.get(mailbox)!;
    held.delete(reach);
    if (held.size === 0) this.unstarted.delete(mailbox);
  }

  private succeed(reach: Reach): void {
    if (!this.finish(reach)) return;
    reach.wait.delivered++;
    this.resolveIfDone(reach.wait);
  }

  private fail(reach: Reach): void {
    if (!this.finish(reach)) return;
    reach.wait.failed++;
    this.resolveIfDone(reach.wait);
  }

  /** Takes the reach out of its wait; false when it had already finished (or the wait ended). */
  private finish(reach: Reach): boolean {
    if (reach.wait.reaches.get(reach.key) !== reach) return false;
    this.leaveMailbox(reach);
    reach.wait.reaches.delete(reach.key);
    return true;
  }

  private resolveIfDone(wait: Wait): void {
    // While still opening, settle resolves it: the reaches are not all known yet.
    if (wait.reaches.size === 0 && wait.resolve !== undefined) this.end(wait, 'timedOut');
  }

  /** Resolves the wait; what is still unfinished counts as `unfinished`. */
  private end(wait: Wait, unfinished: 'timedOut' | 'failed'): void {
    const left = wait.reaches.size;
    if (unfinished === 'failed') wait.failed += left;
    this.forget(wait);
    wait.resolve?.(this.resultOf(wait, unfinished === 'timedOut' ? left : 0));
  }

  private forget(wait: Wait): void {
    wait.cancelDeadline?.();
    for (const reach of wait.reaches.values()) this.leaveMailbox(reach);
    wait.reaches.clear();
    if (wait.id !== undefined && this.byId.get(wait.id) === wait) this.byId.delete(wait.id);
    if (wait === this.opening) this.opening = undefined;
    this.active--;
  }

  private resultOf(wait: Wait, timedOut: number): PublishAndWaitAccepted {
    return { ok: true, id: wait.id!, delivered: wait.delivered, failed: wait.failed, timedOut };
  }
}
