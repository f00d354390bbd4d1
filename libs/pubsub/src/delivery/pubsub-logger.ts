import { escapeLogText, escapeStackText } from '../log-text.js';

/** The subset of Nest's LoggerService the pure cores need, so they can be tested without Nest. */
export interface PubSubLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

export const silentLogger: PubSubLogger = { log() {}, warn() {}, error() {} };

/** `logger` with every line's control characters escaped (see log-text.ts): what the library logs goes here. */
export function escapingLogger(logger: PubSubLogger): PubSubLogger {
  return {
    log: (message) => logger.log(escapeLogText(message)),
    warn: (message) => logger.warn(escapeLogText(message)),
    error: (message, stack) => logger.error(escapeLogText(message), stack === undefined ? undefined : escapeStackText(stack)),
  };
}
