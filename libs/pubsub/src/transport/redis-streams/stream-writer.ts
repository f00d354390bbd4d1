import type { ChannelName } from '../../channels/channel-names.js';
import type { RetentionPolicy } from '../../durable/durable-backend.js';
import type { StreamClient } from './stream-client.js';
import { idBeforeTime } from './stream-ids.js';
import { ACK_IF_OWNED, APPEND_ENTRIES } from './stream-scripts.js';

/** Entries per scripted append: a few milliseconds of Redis time at most, so the bus is not held up. */
const CHUNK_ENTRIES = 512;

interface AppendBatch {
  channel: ChannelName;
  retention: RetentionPolicy;
  entries: [text: string, signature: string][];
}

export interface StreamWriterEvents {
  /** Publications that did not reach the stream (Redis down, an XADD refused). */
  appendFailed(channel: ChannelName, count: number, why: string): void;
}

/**
 * What this node writes to its streams, batched per event-loop turn and sent as one pipeline: the XADDs of a
 * burst, in scripted chunks (APPEND_ENTRIES: MAXLEN ~ per entry, an exact trim per chunk, MINID ~ for the age),
 * and the XACKs of the deliveries handled meanwhile.
 * While Redis is unreachable or frozen, up to `maxBuffered` publications wait (queued or sent and unanswered);
 * beyond that they are counted as failed.
 */
export class StreamWriter {
  private appends = new Map<string, AppendBatch>();
  private buffered = 0;
  /** Sent and not answered yet: a frozen Redis leaves them in the client's queue, so they count against the bound. */
  private unanswered = 0;
  private acks = new Map<string, { key: string; group: string; ids: string[] }>();
  private lateAcks: { key: string; group: string; id: string; consumer: string }[] = [];
  private scheduled = false;
  /** Closed while groups are (re)created after a connect, so that they start before the waiting publications. */
  private gateOpen = false;

  constructor(
    private readonly client: () => StreamClient | undefined,
    private readonly events: StreamWriterEvents,
    private readonly maxBuffered = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Publications waiting to be written. */
  get pending(): number {
    return this.buffered;
  }

  append(key: string, channel: ChannelName, entry: [string, string], retention: RetentionPolicy): void {
    if (this.buffered + this.unanswered >= this.maxBuffered) {
      this.events.appendFailed(channel, 1, `${this.maxBuffered} publications already wait for Redis`);
      return;
    }
    let batch = this.appends.get(key);
    if (batch === undefined) this.appends.set(key, (batch = { channel, retention, entries: [] }));
    batch.entries.push(entry);
    this.buffered++;
    this.schedule();
  }

  ack(key: string, group: string, id: string): void {
    const batchKey = `${key}\n${group}`;
    let batch = this.acks.get(batchKey);
    if (batch === undefined) this.acks.set(batchKey, (batch = { key, group, ids: [] }));
    batch.ids.push(id);
    this.schedule();
  }

  /** An acknowledgement that came after the ack timeout: it only counts if the entry is still this consumer's. */
  ackIfOwned(key: string, group: string, id: string, consumer: string): void {
    this.lateAcks.push({ key, group, id, consumer });
    this.schedule();
  }

  setGate(open: boolean): void {
    this.gateOpen = open;
    if (open) this.schedule();
  }

  /**
   * Sends what waits now, in one pipeline written to the connection before this returns, so commands issued after
   * it on the same connection (a group created at '$') are ordered after these appends.
   */
  flush(): Promise<void> {
    this.scheduled = false;
    const client = this.client();
    if (!this.gateOpen || client?.status !== 'ready') return Promise.resolve();
    const appends = this.appends;
    const acks = this.acks;
    const lateAcks = this.lateAcks;
    if (appends.size === 0 && acks.size === 0 && lateAcks.length === 0) return Promise.resolve();
    this.appends = new Map();
    this.buffered = 0;
    this.acks = new Map();
    this.lateAcks = [];
    const pipeline = client.pipeline();
    const cutoff = this.now();
    const chunks: { channel: ChannelName; size: number }[] = [];
    for (const [key, { channel, retention, entries }] of appends) {
      const oldest = Number.isFinite(retention.maxAgeMs) ? idBeforeTime(cutoff - retention.maxAgeMs) : '';
      for (let from = 0; from < entries.length; from += CHUNK_ENTRIES) {
        const chunk = entries.slice(from, from + CHUNK_ENTRIES);
        pipeline.call('EVAL', APPEND_ENTRIES, 1, key, retention.maxMessages, oldest, JSON.stringify(chunk));
        chunks.push({ channel, size: chunk.length });
      }
    }
    for (const { key, group, ids } of acks.values()) pipeline.call('XACK', key, group, ...ids);
    for (const { key, group, id, consumer } of lateAcks) pipeline.call('EVAL', ACK_IF_OWNED, 1, key, group, id, consumer);
    let sent = 0;
    for (const chunk of chunks) sent += chunk.size;
    this.unanswered += sent;
    return pipeline
      .exec()
      .then(
        (results) => this.countFailures(chunks, results ?? []),
        (error: unknown) => {
          for (const chunk of chunks) this.events.appendFailed(chunk.channel, chunk.size, String(error));
        },
      )
      .finally(() => (this.unanswered -= sent));
  }

  /** Whatever still waits when the backend closes did not reach the stream. */
  abandon(why: string): void {
    for (const batch of this.appends.values()) this.events.appendFailed(batch.channel, batch.entries.length, why);
    this.appends.clear();
    this.buffered = 0;
    this.acks.clear();
    this.lateAcks = [];
  }

  private schedule(): void {
    if (this.scheduled || !this.gateOpen) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private countFailures(chunks: { channel: ChannelName; size: number }[], results: Array<[Error | null, unknown]>): void {
    chunks.forEach(({ channel, size }, i) => {
      const [error, added] = results[i] ?? [new Error('no reply'), 0];
      const failed = error === null ? size - Number(added) : size;
      if (failed > 0) this.events.appendFailed(channel, failed, error?.message ?? 'fewer entries added than sent');
    });
  }
}
