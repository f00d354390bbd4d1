import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { ThrottledLog } from '../delivery/throttled-log.js';
import type { Bus, BusHandlers } from './bus.js';
import { within } from './within.js';
import { loadIoredis, type RedisClient, type RedisClientConstructor } from './load-ioredis.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The one Redis channel a cluster shares; every node subscribes to it once and matches locally. */
export function busChannel(prefix: string): string {
  return `${prefix}:bus`;
}

export interface RedisBusOptions {
  url?: string;
  prefix: string;
  logger: PubSubLogger;
  /** Longest wait between reconnection attempts. */
  maxReconnectDelayMs?: number;
  /** Where the client class comes from; ioredis, loaded on first use, by default. */
  loadClient?: () => Promise<RedisClientConstructor>;
}

// A QUIT that gets no answer (a frozen server) must not hold up the shutdown: the socket is dropped after it.
const QUIT_TIMEOUT_MS = 500;

/**
 * Redis pub/sub as a Bus: a publisher connection and a subscriber connection with exactly one SUBSCRIBE.
 * Both reconnect by themselves (fast, capped backoff); the subscription is renewed on every reconnect. The
 * publisher never queues offline: a frame that cannot be written fails at once and the cluster transport
 * keeps it (bounded) until the bus is up again. The bus is "up" only while both connections are ready and
 * subscribed, so a silently cut subscriber (Redis's output-buffer limit) shows as an outage, not a void.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  readonly description: string;
  private readonly url: string;
  private readonly channel: string;
  private readonly log: ThrottledLog;
  private publisher: RedisClient | undefined;
  private subscriber: RedisClient | undefined;
  private publisherReady = false;
  private subscribed = false;
  private reportedUp = false;
  private closing = false;
  private handlers: BusHandlers | undefined;
  private settleOpen: (() => void) | undefined;

  constructor(private readonly options: RedisBusOptions) {
    this.url = options.url ?? DEFAULT_REDIS_URL;
    this.channel = busChannel(options.prefix);
    this.description = `${redact(this.url)} channel ${this.channel}`;
    this.log = new ThrottledLog(options.logger, 3, 10_000);
  }

  get up(): boolean {
    return this.publisherReady && this.subscribed && !this.closing;
  }

  async open(handlers: BusHandlers, waitMs: number): Promise<void> {
    const Redis = await (this.options.loadClient ?? loadIoredis)();
    this.handlers = handlers;
    const maxDelay = this.options.maxReconnectDelayMs ?? 1_000;
    const common = {
      retryStrategy: (times: number) => Math.min(50 * times, maxDelay),
      connectTimeout: 2_000,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
    };
    const opened = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.settleOpen = () => {
        clearTimeout(timer);
        this.settleOpen = undefined;
        resolve();
      };
    });
    this.publisher = new Redis(this.url, { ...common, connectionName: `${this.options.prefix}:pub` });
    this.subscriber = new Redis(this.url, { ...common, connectionName: `${this.options.prefix}:sub`, autoResubscribe: false });
    this.watchPublisher(this.publisher);
    this.watchSubscriber(this.subscriber);
    await opened;
  }

  publish(text: string): Promise<number> {
    if (this.publisher === undefined || !this.publisherReady) return Promise.reject(new Error(`Redis publisher not connected (${this.description})`));
    return this.publisher.publish(this.channel, text);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.settleOpen?.();
    await Promise.all([this.publisher, this.subscriber].map((client) => quitGracefully(client)));
  }

  abort(): void {
    this.closing = true;
    this.settleOpen?.();
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
  }

  private watchPublisher(client: RedisClient): void {
    client.on('ready', () => {
      this.publisherReady = true;
      this.update('publisher connected');
    });
    client.on('close', () => {
      const wasReady = this.publisherReady;
      this.publisherReady = false;
      if (wasReady) this.update('publisher connection closed');
    });
    client.on('error', (error) => this.failed('publisher', error));
  }

  private watchSubscriber(client: RedisClient): void {
    client.on('ready', () => {
      client.subscribe(this.channel).then(
        () => {
          this.subscribed = true;
          this.update('subscribed');
        },
        (error: unknown) => {
          this.log.error('redis-subscribe', `SUBSCRIBE ${this.channel} failed on ${redact(this.url)}: ${String(error)}; reconnecting`);
          if (!this.closing) client.disconnect(true);
        },
      );
    });
    client.on('close', () => {
      const wasSubscribed = this.subscribed;
      this.subscribed = false;
      if (!wasSubscribed || this.closing) return;
      if (this.publisherReady) {
        this.log.warn(
          'redis-subscriber-cut',
          `The Redis subscriber connection (${this.description}) closed while the publisher stayed connected: Redis may ` +
            "have cut it at its pubsub client-output-buffer-limit. Frames published meanwhile are lost for this node and counted in 'lost'.",
        );
      }
      this.update('subscriber connection closed');
    });
    client.on('message', (channel, text) => {
      if (channel === this.channel) this.handlers?.frame(text);
    });
    client.on('error', (error) => this.failed('subscriber', error));
  }

  private failed(role: string, error: Error): void {
    if (this.closing) return;
    this.log.warn(`redis-${role}-error`, `Redis ${role} connection (${redact(this.url)}): ${error.message}; retrying`);
    // Known to be down: start-up need not wait any longer.
    if (!this.up) this.settleOpen?.();
  }

  private update(reason: string): void {
    const up = this.up;
    if (up) this.settleOpen?.();
    if (up === this.reportedUp || this.closing) return;
    this.reportedUp = up;
    this.handlers?.state(up, reason);
  }
}

async function quitGracefully(client: RedisClient | undefined): Promise<void> {
  if (client === undefined) return;
  if (client.status === 'ready') await within(client.quit(), QUIT_TIMEOUT_MS);
  client.disconnect();
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'redis (unparseable url)';
  }
}
