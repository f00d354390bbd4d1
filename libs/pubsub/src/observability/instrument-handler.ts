import type { HandlerTarget } from '../channels/channel-context.js';
import type { MessageHandler, PubSubMessage } from '../channels/channel.types.js';

/** One handler call being observed: `end` is told once how it ended; `run`, when given, makes the call (inside a span's context). */
export interface CallScope {
  end(error: unknown, failed: boolean): void;
  run?(call: () => unknown): unknown;
}

/** What watches handler calls: `begin` is called before each call. */
export interface HandlerInstrument {
  begin(message: PubSubMessage, target: HandlerTarget): CallScope;
}

/**
 * Wraps a handler for the given instruments, once, at subscribe time. The wrapper keeps the handler's
 * outcome as the mailbox sees it: a synchronous throw is rethrown, a returned value is returned, and a
 * thenable becomes a promise settled by its first outcome (a `then` that throws is a rejection).
 */
export function instrumentHandler(
  handler: MessageHandler,
  target: HandlerTarget,
  instruments: readonly HandlerInstrument[],
): MessageHandler {
  if (instruments.length === 0) return handler;
  return (message) => {
    const scopes = instruments.map((instrument) => instrument.begin(message, target));
    // Ended innermost first, as they began: the first instrument's scope encloses the others.
    const finish = (error: unknown, failed: boolean): void => {
      for (let i = scopes.length - 1; i >= 0; i--) scopes[i].end(error, failed);
    };
    let call = (): unknown => handler(message);
    for (const scope of scopes) {
      if (scope.run === undefined) continue;
      const inner = call;
      call = () => scope.run!(inner);
    }
    let outcome: unknown;
    let thenable: boolean;
    try {
      outcome = call();
      thenable = outcome !== null && typeof (outcome as PromiseLike<unknown>)?.then === 'function';
    } catch (error) {
      finish(error, true);
      throw error;
    }
    if (!thenable) {
      finish(undefined, false);
      return outcome;
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const once = (error: unknown, failed: boolean, value?: unknown) => {
        if (settled) return;
        settled = true;
        finish(error, failed);
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
