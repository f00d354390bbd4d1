// Thrown values reach logs and results from user handlers: describing them must never throw in turn.

/** Never throws, whatever was thrown (a Proxy with throwing traps, an object without a prototype...). */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    try {
      return String(error);
    } catch {
      return `unprintable ${typeof error} thrown`;
    }
  }
}

export function describeStack(error: unknown): string | undefined {
  try {
    return error instanceof Error ? error.stack : undefined;
  } catch {
    return undefined;
  }
}
