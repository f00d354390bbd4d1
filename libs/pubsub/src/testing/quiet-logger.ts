import { Logger } from '@nestjs/common';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';

/**
 * The logger of `PubSubModule.forTest()`: start-up notes and warnings (refusals, drops, wiring notes) stay
 * out of the test output; errors (a handler that threw, a dead letter that could not be published) still
 * reach Nest's logger, because a test that hides them is hard to debug.
 */
export function createQuietLogger(): PubSubLogger {
  const errors = new Logger('PubSub');
  return {
    log() {},
    warn() {},
    error: (message, stack) => errors.error(message, stack),
  };
}
