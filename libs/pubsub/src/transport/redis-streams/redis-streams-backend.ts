import type { ChannelName } from '../../channels/channel-names.js';
import type { PubSubMessage } from '../../channels/channel.types.js';
import type { PubSubLogger } from '../../delivery/pubsub-logger.js';
import { ThrottledLog } from '../../delivery/throttled-log.js';
import type {
  DurableBackend,
  DurableLag,
  DurableMemberOptions,
  DurableMembership,
  RetentionPolicy,
} from '../../durable/durable-backend.js';
import { ERRORS } from '../../error-messages.js';
import type { PubSubSecurity } from '../../security/pubsub-security.js';
import type { FrameRejection } from '../wire-frame.js';
import type { DurableStore, DurableStoreEvents } from '../durable-store.js';
import { loadIoredis } from '../load-ioredis.js';
import { within } from '../within.js';
import type { ChannelRetention } from '../../channels/channel-retention.js';
import type { StreamClient, StreamClientConstructor } from './stream-client.js';
import type { StreamGate, ScriptRunner } from './stream-gate.js';
import { decodeStreamEntry, encodeStreamEntry } from './stream-entry.js';
import { StreamGroup, type GroupIo } from './stream-group.js';
import { streamKey } from './stream-ids.js';
import { StreamWriter } from './stream-writer.js';
import { GroupSeeding, type SeedingIo } from './group-seeding.js';

export interface RedisStreamsBackendOptions {
  url: string;
  prefix: string;
  nodeName: string;
  security: PubSubSecurity;
  logger: PubSubLogger;
  /** Entries longer than this (bytes) are refused unread, like oversized bus frames. */
  maxEntryBytes: number;
  /** A consumer of a group idle for longer than this with nothing pending is deleted (default 10 minutes). */
  idleConsumerMs?: number;
  /** Publications that may wait for Redis (down, frozen, or a burst not answered yet); beyond, they fail. */
  maxBuffered?: number;
  /** The client class; ioredis is loaded at open() when absent (it is an optional peer). */
  Redis?: StreamClientConstructor;
  /** A stream entry that failed verification (never delivered): to be reported as an access violation. */
  rejected?(channel: ChannelName, error: FrameRejection): void;
  /** Publications that could not be appended (Redis down, a payload that cannot be serialised). */
  appendFailed?(channel: ChannelName, count: number): void;
  /**
   * The stream gate: publications travel to the stream with their bus frames, only once a channel has a group
   * (append() then writes nothing itself), and a channel's first group is seeded from this node's retention log.
   */
  gated?: {
    gate: StreamGate;
    /** Scripts on the bus's publishing connection. */
    run: ScriptRunner;
    /** Every frame published before the call has reached this node. */
    barrier(): Promise<void>;
    retention(channel: ChannelName): ChannelRetention | undefined;
  };
}

/** Each step of close() is bounded by this, so a frozen Redis cannot hold up a shutdown (three steps, < 2 s). */
const CLOSE_STEP_MS = 500;
const TICK_MS = 25;
const MAINTENANCE_MS = 1_000;
const NO_LAG: DurableLag = Object.freeze({ pending: 0, backlog: 0, oldestMs: 0 });

/**
 * Durable groups over Redis Streams: stream `<prefix>:stream:<channel>`, group `<durable>`, one consumer per
 * member. Appends and acknowledgements go through one writer connection in a pipeline per event-loop turn;
 * each group blocks on its stream with a reader connection of its own; deliveries idle for longer than the
 * members' ackTimeoutMs (a killed process's, a handler that hung) are taken over with XAUTOCLAIM, with the
 * delivery count Redis keeps in the group's pending list. Entries are signed and verified like bus frames.
 */
export class RedisStreamsBackend implements DurableBackend, DurableStore {
  readonly kind = 'redis';
  private writerClient: StreamClient | undefined;
  private readonly writer: StreamWriter;
  private readonly groups = new Map<string, StreamGroup>();
  private readonly log: ThrottledLog;
  private readonly io: GroupIo;
  private readonly timers: NodeJS.Timeout[] = [];
  private closing = false;
  private Redis: StreamClientConstructor | undefined;
  private rejectedHandler: RedisStreamsBackendOptions['rejected'];
  private encodedTail: DurableStoreEvents['encodedTail'];
  private unsentOf: DurableStoreEvents['unsent'];
  private failedCount = 0;
  private rejectedCount = 0;

  constructor(private readonly options: RedisStreamsBackendOptions) {
    this.log = new ThrottledLog(options.logger, 3, 10_000);
    const events = { appendFailed: (channel: ChannelName, count: number, why: string) => this.appendFailed(channel, count, why) };
    this.writer = new StreamWriter(() => this.readyWriter(), events, options.maxBuffered);
    this.io = {
      nodeName: options.nodeName,
      log: this.log,
      writer: () => this.readyWriter(),
      connect: (name) => (this.Redis === undefined ? undefined : this.connect(`${options.prefix}:streams-read:${name}`, 'reader')),
      flushAppends: () => void this.writer.flush(),
      read: (channel, fields) => this.read(channel, fields),
      ack: (key, group, id) => this.writer.ack(key, group, id),
      ackIfOwned: (key, group, id, consumer) => this.writer.ackIfOwned(key, group, id, consumer),
      idleConsumerMs: options.idleConsumerMs ?? 600_000,
      seeding: options.gated && seedingOf(options.gated, options, (channel) => this.unsentOf?.(channel) ?? []),
    };
  }

  /** Publications that could not be appended. */
  get failed(): number {
    return this.failedCount;
  }

  /** Publications waiting to be written (Redis unreachable, or this turn's burst). */
  get pendingAppends(): number {
    return this.writer.pending;
  }

  /** Entries refused by verification (forged, tampered, oversized, malformed). */
  get rejected(): number {
    return this.rejectedCount;
  }

  /** Connects the writer (waiting at most `waitMs` for it; it keeps trying afterwards) and starts the timers. */
  async open(waitMs: number, events?: DurableStoreEvents): Promise<void> {
    if (this.writerClient !== undefined || this.closing) return;
    this.rejectedHandler = events?.rejected ?? this.options.rejected;
    this.encodedTail = events?.encodedTail;
    this.unsentOf = events?.unsent;

    this.Redis = this.options.Redis ?? ((await loadIoredis()) as unknown as StreamClientConstructor);
    if (this.closing) return;
    const writer = this.connect(`${this.options.prefix}:streams`, 'writer');
    this.writerClient = writer;
    const ready = new Promise<void>((resolve) => writer.on('ready', resolve));
    writer.on('ready', () => void this.connected());
    this.timers.push(setInterval(() => this.claimIdle(), TICK_MS).unref());
    this.timers.push(setInterval(() => this.maintain(), MAINTENANCE_MS).unref());
    await within(ready, waitMs);
  }

  append(message: PubSubMessage, retention: RetentionPolicy): void {
    if (this.options.gated !== undefined) return; // its bus frame carries its entry, when a group needs one
    if (this.closing) return this.appendFailed(message.channel, 1, 'the backend is closed');
    const entry = encodeStreamEntry(message, this.options.security, this.encodedTail?.(message));
    if (entry === undefined) return this.appendFailed(message.channel, 1, 'the payload cannot be serialised');
    this.writer.append(streamKey(this.options.prefix, message.channel), message.channel, entry, retention);
  }

  join(member: DurableMemberOptions): DurableMembership {
    const key = streamKey(this.options.prefix, member.channel);
    const id = `${key}\n${member.durable}`;
    let group = this.groups.get(id);
    if (group === undefined) {
      group = new StreamGroup(this.io, member.channel, key, member.durable, member);
      this.groups.set(id, group);
    }
    return group.join(member);
  }

  lag(channel: ChannelName, durable: string): DurableLag {
    return this.groups.get(`${streamKey(this.options.prefix, channel)}\n${durable}`)?.lag() ?? NO_LAG;
  }

  /** Sends the acknowledgements still waiting, stops the readers, quits: each step bounded (a frozen Redis). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await within(this.writer.flush(), CLOSE_STEP_MS);
    this.writer.abandon('the backend closed before Redis took them');
    await Promise.all([...this.groups.values()].map((group) => group.close(CLOSE_STEP_MS)));
    const writer = this.writerClient;
    if (writer?.status === 'ready') await within(writer.quit(), CLOSE_STEP_MS).catch(() => undefined);
    writer?.disconnect();
  }

  /** As a crash would: connections dropped, nothing flushed (what was not acknowledged is redelivered). For tests. */
  abort(): void {
    this.closing = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.writer.abandon('the backend was aborted');
    for (const group of this.groups.values()) void group.close(0);
    this.writerClient?.disconnect();
  }

  private connect(connectionName: string, role: string): StreamClient {
    const client = new this.Redis!(this.options.url, {
      retryStrategy: (times: number) => Math.min(50 * times, 1_000),
      connectTimeout: 2_000,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectionName,
    });
    client.on('error', (error) => {
      if (!this.closing) this.log.warn(`redis-streams-${role}`, ERRORS.durableRedisConnection(role, error.message));
    });
    return client;
  }

  private readyWriter(): StreamClient | undefined {
    const writer = this.writerClient;
    return !this.closing && writer?.status === 'ready' ? writer : undefined;
  }

  /**
   * (Re)connected: groups first (a Redis that restarted empty lost them), then the publications that waited, so
   * a group created now still gets them.
   */
  private async connected(): Promise<void> {
    this.writer.setGate(false);
    await Promise.all([...this.groups.values()].map((group) => group.ensureCreated()));
    this.writer.setGate(true);
  }

  private read(channel: ChannelName, fields: unknown[] | null): PubSubMessage | undefined {
    const decoded = decodeStreamEntry(fields, this.options.security, this.options.maxEntryBytes);
    if (decoded.ok && decoded.message.channel === channel) return decoded.message;
    const error: FrameRejection = decoded.ok ? 'invalid_format' : decoded.error;
    this.rejectedCount++;
    this.rejectedHandler?.(channel, error);
    return undefined;
  }

  private claimIdle(): void {
    const now = Date.now();
    for (const group of this.groups.values()) void group.claimIdle(now);
  }

  private maintain(): void {
    for (const group of this.groups.values()) void group.refreshLag();
  }

  private appendFailed(channel: ChannelName, count: number, why: string): void {
    this.failedCount += count;
    this.options.appendFailed?.(channel, count);
    this.log.warn(`redis-streams-append:${channel}`, ERRORS.durableAppendFailed(channel, count, why));
  }
}

function seedingOf(
  gated: NonNullable<RedisStreamsBackendOptions['gated']>,
  { nodeName, security }: RedisStreamsBackendOptions,
  unsent: SeedingIo['unsent'],
): { io: SeedingIo; groups: GroupSeeding } {
  const { gate } = gated;
  const io: SeedingIo = {
    ...gated,
    nodeName,
    security,
    unsent,
    seeded: (messages, yes) => gate.seeded(messages, yes),
    ready: (channel) => gate.learn(channel, 'ready'),
  };
  return { io, groups: new GroupSeeding(io) };
}
