import { describeError } from '../describe-error.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { ThrottledLog } from '../delivery/throttled-log.js';
import type { Bus, BusHandlers } from './bus.js';
import { LivenessProbe } from './liveness-probe.js';
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
  /**
   * A connection with a PING unanswered this long, and nothing else heard meanwhile, counts as down (a
   * frozen server keeps its connections open). The cluster passes its heartbeat interval. Default 5_000.
   */
  livenessTimeoutMs?: number;
  /** Where the client class comes from; ioredis, loaded on first use, by default. */
  loadClient?: () => Promise<RedisClientConstructor>;
  /**
   * Scripts runScript() will run (the stream gate's, one per data frame): loaded on every connect before the
   * publisher counts as ready, then run by their SHA instead of sending their text each time.
   */
  scripts?: readonly string[];
}

// A QUIT that gets no answer (a frozen server) must not hold up the shutdown: the socket is dropped after it.
const QUIT_TIMEOUT_MS = 500;
// Below this a PING deadline would take a busy server for a frozen one.
const MIN_LIVENESS_TIMEOUT_MS = 200;

/**
 * Redis pub/sub as a Bus: one connection with exactly one SUBSCRIBE, which also publishes and runs the stream
 * gate's commands when the server speaks RESP3 (Redis 6 and later; ioredis 6 asks for it). A frame's PUBLISH
 * reply and its echo then arrive in one read: with a connection of each kind, the sender woke for each of them
 * (README, "Redis transport, two processes"). A server that speaks only RESP2 allows nothing but subscribing
 * on a subscribed connection, so there a second connection publishes. Connections reconnect by themselves
 * (fast, capped backoff); the subscription is renewed on every reconnect. Publishing never queues offline: a
 * frame that cannot be written fails at once and the cluster transport keeps it (bounded) until the bus is up
 * again. The bus is "up" only while its connections are ready and subscribed, so a silently cut subscriber
 * (Redis's output-buffer limit) shows as an outage, not a void, and only while they answer: a frozen server
 * (connections open, no replies) is noticed by PINGs with a deadline on each connection, within 1.5 times the
 * liveness timeout, and is an outage too.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  readonly description: string;
  private readonly url: string;
  private readonly channel: string;
  private readonly channelBytes: Buffer;
  private readonly log: ThrottledLog;
  private client: RedisClientConstructor | undefined;
  private connectionOptions: Record<string, unknown> = {};
  /** Subscribes; publishes too unless the server needed a separate publisher. */
  private subscriber: RedisClient | undefined;
  /** Only for a server that speaks RESP2 alone: a connection that publishes. */
  private separatePublisher: RedisClient | undefined;
  private publisherReady = false;
  private subscribed = false;
  private reportedUp = false;
  private closing = false;
  private handlers: BusHandlers | undefined;
  private settleOpen: (() => void) | undefined;
  private readonly livenessTimeoutMs: number;
  private publisherProbe: LivenessProbe | undefined;
  private subscriberProbe: LivenessProbe | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  /** The shared connection's server puts a PUBLISH's echo after a transaction's reply (Redis 7.2 and later). */
  private echoAfterTransactions = false;
  /** The SHA of each script loaded on the current publisher connection. */
  private readonly loaded = new Map<string, string>();

  constructor(private readonly options: RedisBusOptions) {
    this.url = options.url ?? DEFAULT_REDIS_URL;
    this.channel = busChannel(options.prefix);
    this.channelBytes = Buffer.from(this.channel, 'utf8');
    this.description = `${redact(this.url)} channel ${this.channel}`;
    this.log = new ThrottledLog(options.logger, 3, 10_000);
    this.livenessTimeoutMs = Math.max(MIN_LIVENESS_TIMEOUT_MS, options.livenessTimeoutMs ?? 5_000);
  }

  /** The connection that publishes and runs scripts: the subscriber itself, unless a separate one was needed. */
  private get publisher(): RedisClient | undefined {
    return this.separatePublisher ?? this.subscriber;
  }

  /** The probe of the publishing connection: a reply to what it sent is a sign of life. */
  private get sendingProbe(): LivenessProbe | undefined {
    return this.separatePublisher === undefined ? this.subscriberProbe : this.publisherProbe;
  }

  /**
   * Whether publishChecked may be used. Redis before 7.2 writes the echo of a PUBLISH run inside MULTI/EXEC to a
   * subscribed RESP3 connection in the middle of the EXEC reply (redis/redis#12326), which ioredis cannot read:
   * on such a server the one connection does not publish in transactions, and the stream gate publishes those
   * frames from its script instead.
   */
  get checkedPublishes(): boolean {
    return this.separatePublisher !== undefined || this.echoAfterTransactions;
  }

  get up(): boolean {
    return this.publisherReady && this.subscribed && !this.closing && this.answering;
  }

  private get answering(): boolean {
    return (this.publisherProbe?.responsive ?? true) && (this.subscriberProbe?.responsive ?? true);
  }

  async open(handlers: BusHandlers, waitMs: number): Promise<void> {
    this.client = await (this.options.loadClient ?? loadIoredis)();
    this.handlers = handlers;
    const maxDelay = this.options.maxReconnectDelayMs ?? 1_000;
    this.connectionOptions = {
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
    this.subscriber = new this.client(this.url, {
      ...this.connectionOptions,
      connectionName: `${this.options.prefix}:sub`,
      autoResubscribe: false,
    });
    this.subscriberProbe = this.probe('subscriber', this.subscriber);
    this.watchSubscriber(this.subscriber, this.subscriberProbe);
    this.probeTimer = setInterval(
      () => {
        if (this.publisherReady) this.publisherProbe?.tick();
        if (this.subscribed) this.subscriberProbe?.tick();
      },
      Math.max(10, Math.floor(this.livenessTimeoutMs / 2)),
    );
    this.probeTimer.unref();
    await opened;
  }

  publish(frame: string | Buffer): Promise<number> {
    if (this.publisher === undefined || !this.publisherReady)
      return Promise.reject(new PubSubError('transport', ERRORS.redisPublisherDown(this.description)));
    return this.publisher.publish(this.channel, frame).then((receivers) => {
      this.sendingProbe?.heard();
      return receivers;
    });
  }

  /** Runs a script on the publishing connection: ordered with the frames published before and after it. */
  runScript(script: string, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    if (this.publisher === undefined || !this.publisherReady)
      return Promise.reject(new PubSubError('transport', ERRORS.redisPublisherDown(this.description)));
    return this.evaluate(this.publisher, script, keys, args);
  }

  /**
   * WATCH `watch`, run `script`, then PUBLISH `frame` and DEL `clear` in a transaction, all in one write on the
   * publishing connection: Redis runs the transaction only if no watched key was written since the WATCH (by the
   * script included). Answers the script's reply and the receivers, undefined when the transaction did not run.
   */
  publishChecked(
    watch: string[],
    script: string,
    keys: string[],
    args: (string | number | Buffer)[],
    frame: Buffer,
    clear: string,
  ): Promise<{ reply: unknown; receivers: number | undefined }> {
    const client = this.publisher;
    if (client === undefined || !this.publisherReady)
      return Promise.reject(new PubSubError('transport', ERRORS.redisPublisherDown(this.description)));
    if (!this.checkedPublishes) return Promise.reject(new PubSubError('transport', ERRORS.redisNoCheckedPublish(this.description)));
    const replies = [
      client.call('WATCH', ...watch),
      this.evaluate(client, script, keys, args),
      client.call('MULTI'),
      client.call('PUBLISH', this.channel, frame),
      client.call('DEL', clear),
      client.call('EXEC'),
    ];
    return Promise.all(replies).then(([, reply, , , , executed]) => ({
      reply,
      receivers: Array.isArray(executed) ? Number(executed[0]) : undefined,
    }));
  }

  private evaluate(client: RedisClient, script: string, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    const sha = this.loaded.get(script);
    const reply =
      sha === undefined
        ? client.call('EVAL', script, keys.length, ...keys, ...args)
        : client.call('EVALSHA', sha, keys.length, ...keys, ...args);
    return reply.then(
      (result) => {
        this.sendingProbe?.heard();
        return result;
      },
      (error: unknown) => {
        // Flushed by someone (SCRIPT FLUSH): by its text from now on; this call fails like any other send.
        if (String(error).includes('NOSCRIPT')) this.loaded.delete(script);
        throw error;
      },
    );
  }

  /**
   * Resolves once every frame Redis published before this call was made has reached this node's frame handler:
   * the subscriber's PING is answered after the messages queued for it.
   */
  async barrier(): Promise<void> {
    if (this.subscriber === undefined || !this.subscribed) throw new PubSubError('transport', ERRORS.redisSubscriberDown(this.description));
    await this.subscriber.ping();
  }

  async close(): Promise<void> {
    this.stopping();
    await Promise.all([this.separatePublisher, this.subscriber].map((client) => quitGracefully(client)));
  }

  abort(): void {
    this.stopping();
    this.separatePublisher?.disconnect();
    this.subscriber?.disconnect();
  }

  private stopping(): void {
    this.closing = true;
    this.settleOpen?.();
    clearInterval(this.probeTimer);
    this.publisherProbe?.stop();
    this.subscriberProbe?.stop();
  }

  private probe(role: string, client: RedisClient): LivenessProbe {
    return new LivenessProbe(
      () => client.ping(),
      this.livenessTimeoutMs,
      (responsive) => {
        if (!responsive) {
          this.log.warn(
            `redis-${role}-unresponsive`,
            `Redis ${role} connection (${redact(this.url)}) is open but did not answer for ${this.livenessTimeoutMs} ms (a frozen or overloaded server?); treating the transport as down until it answers`,
          );
        }
        this.update(
          responsive ? `${role} connection answering again` : `${role} connection open but not answering for ${this.livenessTimeoutMs} ms`,
        );
      },
    );
  }

  /** The first time the subscriber connects to a server that speaks RESP2 only; kept from then on. */
  private openSeparatePublisher(): void {
    if (this.separatePublisher !== undefined || this.client === undefined || this.closing) return;
    this.separatePublisher = new this.client(this.url, { ...this.connectionOptions, connectionName: `${this.options.prefix}:pub` });
    this.publisherProbe = this.probe('publisher', this.separatePublisher);
    this.watchPublisher(this.separatePublisher, this.publisherProbe);
  }

  /**
   * The publishing connection `client` is ready once the scripts are loaded on it; when it is the subscriber too
   * (`subscribing`), once it subscribed and its server's version is known.
   */
  private publishReady(client: RedisClient, subscribing?: Promise<boolean>): void {
    const loading = (this.options.scripts ?? []).length === 0 ? undefined : this.loadScripts(client);
    const versionKnown = subscribing === undefined ? undefined : this.readServerVersion(client);
    void Promise.all([subscribing, loading, versionKnown]).then(([subscribed]) => {
      if (client.status !== 'ready' || subscribed === false) return;
      this.publisherReady = true;
      this.update('publisher connected');
    });
  }

  private watchPublisher(client: RedisClient, probe: LivenessProbe): void {
    client.on('ready', () => {
      probe.reset();
      this.publishReady(client);
    });
    client.on('close', () => {
      probe.reset();
      this.loaded.clear();
      const wasReady = this.publisherReady;
      this.publisherReady = false;
      if (wasReady) this.update('publisher connection closed');
    });
    client.on('error', (error) => this.failed('publisher', error));
  }

  /** Unknown (INFO refused by an ACL, say) counts as a server before 7.2. */
  private async readServerVersion(client: RedisClient): Promise<void> {
    this.echoAfterTransactions = echoesAfterTransactions(String(await client.call('INFO', 'server').catch(() => '')));
  }

  /** A script that does not load is run by its text (EVAL) instead. */
  private async loadScripts(client: RedisClient): Promise<void> {
    await Promise.all(
      (this.options.scripts ?? []).map((script) =>
        client.call('SCRIPT', 'LOAD', script).then(
          (sha) => void this.loaded.set(script, String(sha)),
          (error: unknown) => this.log.warn('redis-script-load', ERRORS.redisScriptNotLoaded(this.description, describeError(error))),
        ),
      ),
    );
  }

  private watchSubscriber(client: RedisClient, probe: LivenessProbe): void {
    client.on('ready', () => {
      probe.reset();
      const publishesToo = this.separatePublisher === undefined && client.condition?.protocol === 3;
      if (!publishesToo) this.openSeparatePublisher();
      const subscribing = client.subscribe(this.channel).then(
        () => {
          this.subscribed = true;
          this.update('subscribed');
          return true;
        },
        (error: unknown) => {
          this.log.error('redis-subscribe', `SUBSCRIBE ${this.channel} failed on ${redact(this.url)}: ${String(error)}; reconnecting`);
          if (!this.closing) client.disconnect(true);
          return false;
        },
      );
      if (publishesToo) this.publishReady(client, subscribing);
    });
    client.on('close', () => {
      probe.reset();
      const wasSubscribed = this.subscribed;
      this.subscribed = false;
      if (this.separatePublisher === undefined) {
        this.loaded.clear();
        this.publisherReady = false;
        this.echoAfterTransactions = false;
      }
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
    // The raw bytes: a frame is authenticated as it came, and ioredis need not decode it to a string first.
    client.on('messageBuffer', (channel, frame) => {
      probe.heard();
      if (channel.equals(this.channelBytes)) this.handlers?.frame(frame);
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

/**
 * Whether `INFO server`'s text names Redis 7.2 or later, which writes the echo of a PUBLISH run inside MULTI/EXEC
 * after the EXEC reply (redis/redis#12326); false for anything it cannot read.
 */
export function echoesAfterTransactions(info: string): boolean {
  const [, major, minor] = /^redis_version:(\d+)\.(\d+)/m.exec(info) ?? [];
  return Number(major) > 7 || (Number(major) === 7 && Number(minor) >= 2);
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
