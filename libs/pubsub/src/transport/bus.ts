/**
 * The medium under the cluster transport: one broadcast pipe of frames (UTF-8 text) between nodes. Redis pub/sub is
 * one (a single SUBSCRIBE per node); the in-process MemoryHub is another. Everything above it (framing,
 * signing, batching, sequencing, membership) is shared, so both behave the same.
 */
export interface BusHandlers {
  /** One frame as published by some node (this one included: the bus echoes), as bytes or text. Must not throw. */
  frame(frame: string | Buffer): void;
  /** The bus became usable (publishing and subscribed) or stopped being so. */
  state(up: boolean, reason: string): void;
}

export interface Bus {
  /** For logs and alerts, e.g. 'redis://127.0.0.1:6379 channel gater:pubsub:bus'. */
  readonly description: string;
  readonly kind: 'redis' | 'memory';
  readonly up: boolean;
  /**
   * Starts connecting and resolves once the bus is up, or as soon as it is known to be down (the backend
   * refuses connections), or after `waitMs`: never hangs and never rejects because the backend is down.
   * Rejects only on a configuration problem (e.g. the client library is missing).
   */
  open(handlers: BusHandlers, waitMs: number): Promise<void>;
  /** Resolves with how many subscribers received the frame; rejects when it could not be sent. */
  publish(frame: string | Buffer): Promise<number>;
  /** Graceful close (pending publishes are flushed first). */
  close(): Promise<void>;
  /** Drops the connections without any goodbye: a crash, for tests. */
  abort(): void;
}
