import { describeError } from '../describe-error.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';

/** The part of an ioredis client the Redis bus uses (kept structural: ioredis is an optional peer). */
export interface RedisClient {
  readonly status: string;
  /** ioredis's connection state: `protocol` is 3 once the server agreed to RESP3, 2 after it refused. */
  readonly condition?: { readonly protocol?: number } | null;
  on(event: 'ready' | 'close' | 'end' | 'reconnecting', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'messageBuffer', listener: (channel: Buffer, message: Buffer) => void): this;
  publish(channel: string, message: string | Buffer): Promise<number>;
  subscribe(channel: string): Promise<unknown>;
  ping(): Promise<unknown>;
  call(command: string, ...args: (string | number | Buffer)[]): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(reconnect?: boolean): void;
}

export type RedisClientConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

export const IOREDIS_PACKAGE = 'ioredis';

/**
 * Loads ioredis on demand: only applications that configure the Redis transport need it installed.
 * Throws an error that names the package and how to install it when it is missing.
 */
export async function loadIoredis(specifier: string = IOREDIS_PACKAGE): Promise<RedisClientConstructor> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new PubSubError('missing_peer', ERRORS.ioredisMissing(specifier, describeError(error)), { cause: error });
  }
  const fallback = loaded.default as Record<string, unknown> | undefined;
  const constructor = loaded.Redis ?? fallback?.Redis ?? fallback;
  if (typeof constructor !== 'function') {
    throw new PubSubError('missing_peer', ERRORS.peerWithoutExport(specifier, 'Redis client class', '^6'));
  }
  return constructor as RedisClientConstructor;
}
