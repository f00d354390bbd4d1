import type { ChannelName } from '../../channels/channel-names.js';
import type { RetentionPolicy } from '../../durable/durable-backend.js';
import type { StreamClient } from './stream-client.js';
import { idBeforeTime } from './stream-ids.js';
import { ACK_IF_OWNED } from './stream-scripts.js';

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
 * burst (MAXLEN ~ per entry, then one exact XTRIM per stream and batch, so the cap is kept exactly at the cost of
 * one command per batch, and MINID ~ for the age), and the XACKs of the deliveries handled meanwhile.
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
    for (const [key, { retention, entries }] of appends) {
      for (const [text, signature] of entries)
        pipeline.call('XADD', key, 'MAXLEN', '~', retention.maxMessages, '*', 'm', text, 's', signature);
      pipeline.call('XTRIM', key, 'MAXLEN', retention.maxMessages);
      if (Number.isFinite(retention.maxAgeMs)) pipeline.call('XTRIM', key, 'MINID', '~', idBeforeTime(cutoff - retention.maxAgeMs));
    }
    for (const { key, group, ids } of acks.values()) pipeline.call('XACK', key, group, ...ids);
    for (const { key, group, id, consumer } of lateAcks) pipeline.call('EVAL', ACK_IF_OWNED, 1, key, group, id, consumer);
    let sent = 0;
    for (const batch of appends.values()) sent += batch.entries.length;
    this.unanswered += sent;
    return pipeline
      .exec()
      .then(
        (results) => this.countFailures(appends, results ?? []),
        (error: unknown) => {
          for (const batch of appends.values()) this.events.appendFailed(batch.channel, batch.entries.length, String(error));
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

  private countFailures(appends: Map<string, AppendBatch>, results: Array<[Error | null, unknown]>): void {
    let index = 0;
    for (const { channel, retention, entries } of appends.values()) {
      const replies = results.slice(index, index + entries.length);
      const failed = entries.length - replies.filter(([error]) => error === null).length;
      index += entries.length + (Number.isFinite(retention.maxAgeMs) ? 2 : 1);
      if (failed > 0) this.events.appendFailed(channel, failed, replies.find(([error]) => error !== null)?.[0]?.message ?? 'no reply');
    }
  }
}
