import { randomBytes } from 'node:crypto';
import type { ChannelName } from '../../channels/channel-names.js';
import type { PubSubMessage } from '../../channels/channel.types.js';
import type { RetentionPolicy } from '../../durable/durable-backend.js';
import type { PubSubSecurity } from '../../security/pubsub-security.js';
import type { FrameGate } from '../frame-gate.js';
import type { SendRefusal } from '../outbound-queue.js';
import { CHANNEL_NAMES } from '../../channels/channel-names.js';
import { GATED_PUBLISH, markerKey, READ_MARKERS } from './gate-scripts.js';
import { streamEntryOf } from './stream-entry.js';
import { idBeforeTime, streamKey } from './stream-ids.js';

/** Runs a script on the bus's publishing connection, in order with the frames. */
export type ScriptRunner = (script: string, keys: string[], args: (string | number | Buffer)[]) => Promise<unknown>;

/** A message of a frame with its wire entry (`[seq,...tail]`), from which its stream entry is made when needed. */
export interface GatedEntry {
  readonly message: PubSubMessage;
  readonly text: string;
}

/** While a first group is seeded, refused frames are tried again this often (seeding takes milliseconds). */
export const SEEDING_RETRY_MS = 20;

export interface StreamGateOptions {
  prefix: string;
  nodeName: string;
  busChannel: string;
  security: PubSubSecurity;
  run: ScriptRunner;
  /** A plain PUBLISH of a frame on the bus. */
  publish(frame: Buffer): Promise<number>;
  /** The retention of a channel; undefined for one without (its messages never need an entry). */
  policyOf(channel: ChannelName): RetentionPolicy | undefined;
  now?: () => number;
}

/**
 * The publisher's side of the stream gate (gate-scripts.ts): a frame goes out in ONE script call with the stream
 * entries of the retained channels this node believes to have a durable group, so Redis decides atomically
 * whether they are needed. Without a group a publication costs no entry (no signing, no XADD); a refusal teaches
 * the node the channel's state, and the outbound queue re-sends the refused frames, in order, in the next
 * generation.
 */
export class StreamGate implements FrameGate {
  private readonly ready = new Set<ChannelName>();
  /** This node's publications a first group's seeding put in the stream: a re-sent frame carries no entry for them. */
  private readonly inStream = new WeakSet<PubSubMessage>();
  private generation = 0;
  /** Frames sent through the script and not answered yet: while any is, every frame goes through it. */
  private gatedInFlight = 0;
  private readonly refusalKey: string;
  private readonly now: () => number;

  constructor(private readonly options: StreamGateOptions) {
    this.refusalKey = `${options.prefix}:gate:${options.nodeName}:${randomBytes(6).toString('hex')}`;
    this.now = options.now ?? Date.now;
  }

  /** Whether this node appends the channel's publications (it learnt that a durable group exists). */
  appends(channel: ChannelName): boolean {
    return this.ready.has(channel);
  }

  async refresh(): Promise<void> {
    const channels = CHANNEL_NAMES.filter((channel) => this.options.policyOf(channel) !== undefined);
    const keys = channels.flatMap((channel) => {
      const stream = streamKey(this.options.prefix, channel);
      return [markerKey(stream), stream];
    });
    if (channels.length === 0) return;
    // Only a shortcut: a wrong belief costs one refusal, never a message.
    const states = await this.options.run(READ_MARKERS, keys, []).catch(() => []);
    if (Array.isArray(states)) states.forEach((state, i) => this.learn(channels[i], String(state)));
  }

  learn(channel: ChannelName, state: string): void {
    if (state === 'ready') this.ready.add(channel);
    else if (state === 'absent') this.ready.delete(channel);
  }

  seeded(messages: readonly PubSubMessage[], yes: boolean): void {
    for (const message of messages) {
      if (yes) this.inStream.add(message);
      else this.inStream.delete(message);
    }
  }

  /** Refused frames are about to be re-sent: from here on the refusal recorded in Redis no longer applies. */
  resending(): void {
    this.generation++;
  }

  /**
   * Refusals: 'seeding' (a node is creating the first group: tried again shortly), 'entries' (a group exists: sent
   * again at once, with entries), 'stale' (behind an earlier refusal of this node's pipeline).
   */
  async publish(frame: Buffer, batch: readonly GatedEntry[]): Promise<number | SendRefusal> {
    const retained = this.retainedChannels(batch);
    const channels = retained.map(({ channel }) => channel);
    const keys = [this.refusalKey];
    const args: (string | number | Buffer)[] = [this.generation, this.options.busChannel, frame];
    for (const { channel, policy } of retained) {
      const stream = streamKey(this.options.prefix, channel);
      keys.push(markerKey(stream), stream);
      const oldest = Number.isFinite(policy.maxAgeMs) ? idBeforeTime(this.now() - policy.maxAgeMs) : '';
      // Entries only where a group is believed to exist: a refusal is all the other channels could need.
      args.push(policy.maxMessages, oldest, this.ready.has(channel) ? this.streamEntries(batch, channel) : '');
    }
    // No retained channel: a plain PUBLISH, unless a scripted frame before it may still be refused (this one
    // must then be refused too, to keep the order of the channels they share).
    if (channels.length === 0 && this.gatedInFlight === 0) return this.options.publish(frame);
    this.gatedInFlight++;
    let reply: unknown[];
    try {
      reply = (await this.options.run(GATED_PUBLISH, keys, args)) as unknown[];
    } finally {
      this.gatedInFlight--;
    }
    const [status, ...states] = reply;
    states.forEach((state, i) => this.learn(channels[i], String(state)));
    if (status === -2) return { refused: 'stale', waitMs: 0 };
    if (status !== -1) return Number(status);
    return states.includes('seeding') ? { refused: 'seeding', waitMs: SEEDING_RETRY_MS } : { refused: 'entries', waitMs: 0 };
  }

  /**
   * The retained channels of a frame's messages, in order of first appearance. One comparison per message: a
   * frame mostly carries long runs of one channel, and a new channel is looked for among the few already seen.
   */
  private retainedChannels(batch: readonly GatedEntry[]): { channel: ChannelName; policy: RetentionPolicy }[] {
    const seen: ChannelName[] = [];
    const retained: { channel: ChannelName; policy: RetentionPolicy }[] = [];
    let last: ChannelName | undefined;
    for (const { message } of batch) {
      const channel = message.channel;
      if (channel === last || seen.includes(channel)) {
        last = channel;
        continue;
      }
      last = channel;
      seen.push(channel);
      const policy = this.options.policyOf(channel);
      if (policy !== undefined) retained.push({ channel, policy });
    }
    return retained;
  }

  /** The channel's entries as the append script takes them, each from the wire entry the bus serialised (its tail after the sequence). */
  private streamEntries(batch: readonly GatedEntry[], channel: ChannelName): string {
    const pairs: [string, string][] = [];
    for (const { message, text } of batch) {
      if (message.channel === channel && !this.inStream.has(message))
        pairs.push(streamEntryOf(message, `[${text.slice(text.indexOf(',') + 1)}`, this.options.security));
    }
    return JSON.stringify(pairs);
  }
}
