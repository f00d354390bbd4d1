import type { HandlerTarget } from '../channels/channel-context.js';
import type { MessageHandler, PubSubMessage } from '../channels/channel.types.js';
import type { DurationTally } from './duration-tally.js';

/** One handler call being traced: `end` is told once how it ended; `run` makes the call inside the span's context. */
export interface CallScope {
  end(error: unknown, failed: boolean): void;
  run?(call: () => unknown): unknown;
}

/** What watches each handler call from before it starts (tracing). */
export interface HandlerInstrument {
  begin(message: PubSubMessage, target: HandlerTarget): CallScope;
}

export interface HandlerInstruments {
  /** Where this subscription's call durations are counted (metrics). */
  durations?: DurationTally;
  tracing?: HandlerInstrument;
}

/**
 * Wraps a handler for the given instruments, once, at subscribe time. The wrapper keeps the handler's
 * outcome as the mailbox sees it: a synchronous throw is rethrown, a returned value is returned, and a
 * thenable becomes a promise settled by its first outcome (a `then` that throws is a rejection). The span,
 * when traced, encloses the timed call, so the duration is the handler's own. A synchronous call with
 * metrics only allocates nothing.
 */
export function instrumentHandler(
  handler: MessageHandler,
  target: HandlerTarget,
  { durations, tracing }: HandlerInstruments,
): MessageHandler {
  if (durations === undefined && tracing === undefined) return handler;
  const finish = (scope: CallScope | undefined, startedAt: number, error: unknown, failed: boolean): void => {
    if (durations !== undefined) durations.record((performance.now() - startedAt) / 1_000);
    scope?.end(error, failed);
  };
  return (message) => {
    const scope = tracing?.begin(message, target);
    const startedAt = durations === undefined ? 0 : performance.now();
    let outcome: unknown;
    let thenable: boolean;
    try {
      outcome = scope?.run !== undefined ? scope.run(() => handler(message)) : handler(message);
      thenable = outcome !== null && typeof (outcome as PromiseLike<unknown>)?.then === 'function';
    } catch (error) {
      finish(scope, startedAt, error, true);
      throw error;
    }
    if (!thenable) {
      finish(scope, startedAt, undefined, false);
      return outcome;
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const once = (error: unknown, failed: boolean, value?: unknown) => {
        if (settled) return;
        settled = true;
        finish(scope, startedAt, error, failed);
        if (failed) reject(error);
        else resolve(value);
      };
      try {
        (outcome as PromiseLike<unknown>).then(
          (value) => once(undefined, false, value),
          (error: unknown) => once(error, true),
        );
      } catch (error) {
        once(error, true);
      }
    });
  };
}
