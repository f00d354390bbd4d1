import { ChannelSet, type ChannelSetOptions } from '../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger, type PubSubLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';

/** A bare ChannelSet (no Nest), silent unless a logger is given. */
export function createChannels(options: Partial<ChannelSetOptions> = {}): ChannelSet {
  return new ChannelSet({ nodeName: 'test-node', logger: silentLogger, ...options });
}

/** Records what the library logs, so tests can check that failures are reported. */
export class RecordingLogger implements PubSubLogger {
  readonly logs: string[] = [];
  readonly warnings: string[] = [];
  readonly errors: { message: string; stack?: string }[] = [];
  log(message: string): void {
    this.logs.push(message);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string, stack?: string): void {
    this.errors.push({ message, stack });
  }
}

/** Polls `condition` (every event-loop turn, bounded) until it holds; throws with `what` on timeout. */
export async function waitFor(condition: () => boolean, what = 'condition', timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A promise with its resolver, for handlers the test releases by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
