import type { HandlerTarget } from '../channels/channel-context.js';
import type { MessageHandler, PubSubMessage } from '../channels/channel.types.js';

/** One handler call being observed: told once how it ended. */
export type CallObserver = (error: unknown, failed: boolean) => void;

/**
 * What watches handler calls. `begin` is called before each call and returns how to finish it; `run` (when
 * given) makes the call, so tracing can run it inside its span's context.
 */
export interface HandlerInstrument {
  begin(message: PubSubMessage, target: HandlerTarget): CallObserver;
  run?(call: () => unknown): unknown;
}

/**
 * Wraps a handler for the given instruments, once, at subscribe time. The wrapper keeps the handler's
 * outcome as the mailbox sees it: a synchronous throw is rethrown, a returned value is returned, and a
 * thenable becomes a promise settled by its first outcome (a `then` that throws is a rejection).
 */
export function instrumentHandler(handler: MessageHandler, target: HandlerTarget, instruments: readonly HandlerInstrument[]): MessageHandler {
  if (instruments.length === 0) return handler;
  const runner = instruments.find((instrument) => instrument.run !== undefined);
  return (message) => {
    const observers = instruments.map((instrument) => instrument.begin(message, target));
    const finish: CallObserver = (error, failed) => {
      for (const observe of observers) observe(error, failed);
    };
    const call = () => handler(message);
    let outcome: unknown;
    let thenable: boolean;
    try {
      outcome = runner ? runner.run!(call) : call();
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
