/**
 * Waits for `promise` at most `timeoutMs`: resolves with its value, or with undefined when it rejects or takes
 * longer. For steps of a shutdown that must not hang on a backend that stopped answering.
 */
export async function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, timeoutMs))));
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
