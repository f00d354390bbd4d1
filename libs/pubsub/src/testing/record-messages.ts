import type { Channel } from '../channels/channel.js';
import type { PubSubMessage, SubscribeOptions, Subscription } from '../channels/channel.types.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';

export const DEFAULT_WAIT_TIMEOUT_MS = 2_000;

/** Rejection of `waitFor`: what did arrive is in `messages`, and summarised in the text. */
export class RecordingTimeoutError<P = unknown> extends PubSubError {
  constructor(
    message: string,
    readonly messages: PubSubMessage<P>[],
  ) {
    super('wait_timeout', message);
  }
}

export interface MessageRecorder<P = unknown> {
  /** Everything received so far, in arrival order (a live array). */
  readonly messages: PubSubMessage<P>[];
  readonly subscription: Subscription;
  /**
   * Resolves to the first `count` messages once that many have arrived; rejects with a RecordingTimeoutError
   * carrying what did arrive when `timeoutMs` (default 2_000) passes first, or when unsubscribed meanwhile.
   */
  waitFor(count: number, timeoutMs?: number): Promise<PubSubMessage<P>[]>;
  unsubscribe(): void;
}

interface Waiter {
  count: number;
  resolve: (messages: PubSubMessage[]) => void;
  fail: (why: string) => void;
}

/** A subscription that keeps what it receives, for tests: `await recordMessages(channel, 'a:*').waitFor(2)`. */
export function recordMessages<P = unknown>(channel: Channel, pattern: string | string[], options?: SubscribeOptions): MessageRecorder<P> {
  const messages: PubSubMessage<P>[] = [];
  const waiters = new Set<Waiter>();
  const patterns = Array.isArray(pattern) ? pattern.join(', ') : pattern;
  const settle = (): void => {
    for (const waiter of waiters) {
      if (messages.length >= waiter.count) waiter.resolve(messages.slice(0, waiter.count));
    }
  };
  const subscription = channel.subscribe<P>(
    pattern,
    (message) => {
      messages.push(message);
      settle();
    },
    options,
  );

  return {
    messages,
    subscription,
    waitFor(count, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS) {
      if (!Number.isInteger(count) || count < 0) {
        return Promise.reject(new PubSubError('invalid_argument', ERRORS.invalidWaitCount(count)));
      }
      if (messages.length >= count) return Promise.resolve(messages.slice(0, count));
      if (subscription.closed) return Promise.reject(timeout(ERRORS.recorderClosed(channel.name, patterns, count, messages)));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => waiter.fail(ERRORS.waitTimedOut(channel.name, patterns, count, timeoutMs, messages)), timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        const waiter: Waiter = {
          count,
          resolve: (arrived) => {
            done();
            resolve(arrived as PubSubMessage<P>[]);
          },
          fail: (why) => {
            done();
            reject(timeout(why));
          },
        };
        waiters.add(waiter);
      });
    },
    unsubscribe() {
      subscription.unsubscribe();
      for (const waiter of [...waiters]) waiter.fail(ERRORS.recorderClosed(channel.name, patterns, waiter.count, messages));
    },
  };

  function timeout(why: string): RecordingTimeoutError<P> {
    return new RecordingTimeoutError<P>(why, [...messages]);
  }
}
