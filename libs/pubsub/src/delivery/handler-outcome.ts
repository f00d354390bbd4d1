/**
 * Whether a handler's return value is one to wait for. Reading `then` may throw (a getter): call this inside
 * the try around the handler call, so that counts as the handler failing.
 */
export function isThenable(outcome: unknown): outcome is PromiseLike<unknown> {
  return outcome !== null && typeof (outcome as PromiseLike<unknown>)?.then === 'function';
}

/**
 * Waits for a handler's thenable and reports its first outcome only: a hand-made thenable may call back more
 * than once, synchronously from inside `then`, or throw from `then` (a rejection unless it settled before).
 * One callback for both outcomes: this runs once per asynchronous handler call, and each closure showed.
 */
export function onSettled(thenable: PromiseLike<unknown>, settled: (failed: boolean, error: unknown) => void): void {
  let done = false;
  try {
    thenable.then(
      () => {
        if (done) return;
        done = true;
        settled(false, undefined);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        settled(true, error);
      },
    );
  } catch (error) {
    if (done) return;
    done = true;
    settled(true, error);
  }
}
