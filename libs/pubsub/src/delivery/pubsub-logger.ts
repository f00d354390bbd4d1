/** The subset of Nest's LoggerService the pure cores need, so they can be tested without Nest. */
export interface PubSubLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

export const silentLogger: PubSubLogger = { log() {}, warn() {}, error() {} };
