import type { Channel, PubSubMessage } from '@gater/pubsub';
import type { PubSubLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';

/** Polls `condition` every few ms until it holds; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(condition: () => boolean, what = 'condition', timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything delivered on one channel (pattern `*` by default), with filters for type and topic. */
export class ChannelRecorder {
  readonly messages: PubSubMessage[] = [];

  constructor(channel: Channel, pattern: string | string[] = '*') {
    channel.subscribe(pattern, (message) => {
      this.messages.push(message);
    });
  }

  ofType(type: string, topic?: string): PubSubMessage[] {
    return this.messages.filter((m) => m.type === type && (topic === undefined || m.topic === topic));
  }

  payloadsOf<P = Record<string, any>>(type: string, topic?: string): P[] {
    return this.ofType(type, topic).map((m) => m.payload as P);
  }

  clear(): void {
    this.messages.length = 0;
  }
}

/** A PubSubLogger that keeps what it is told, for the pure cores. */
export class RecordingLogger implements PubSubLogger {
  readonly logs: string[] = [];
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  log(message: string): void {
    this.logs.push(message);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string): void {
    this.errors.push(message);
  }
}

/** Runs `fn` with the given environment variables set (undefined removes one), restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}
