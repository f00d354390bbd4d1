import { escapeLogText, escapeStackText } from './log-text.js';

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

/**
 * The stack for a log line. Its head repeats the error's message, which may carry text from a message (a type,
 * a topic): that part is escaped like a log line, while the frames keep their line breaks.
 */
export function describeStack(error: unknown): string | undefined {
  try {
    if (!(error instanceof Error) || typeof error.stack !== 'string') return undefined;
    const { stack, message } = error;
    const at = typeof message === 'string' && message.length > 0 ? stack.indexOf(message) : -1;
    if (at < 0) return escapeStackText(stack);
    return escapeStackText(stack.slice(0, at)) + escapeLogText(message) + escapeStackText(stack.slice(at + message.length));
  } catch {
    return undefined;
  }
}
