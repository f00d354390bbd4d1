/** The part of an ioredis client the streams backend uses (structural: ioredis is an optional peer). */
export interface StreamPipeline {
  call(command: string, ...args: (string | number)[]): StreamPipeline;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

export interface StreamClient {
  readonly status: string;
  on(event: 'ready' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  pipeline(): StreamPipeline;
  quit(): Promise<unknown>;
  disconnect(reconnect?: boolean): void;
}

export type StreamClientConstructor = new (url: string, options: Record<string, unknown>) => StreamClient;
