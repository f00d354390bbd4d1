import { randomBytes } from 'node:crypto';
import type { ChannelName } from '../../channels/channel-names.js';
import type { PubSubMessage } from '../../channels/channel.types.js';
import type { RetentionPolicy } from '../../durable/durable-backend.js';
import type { PubSubSecurity } from '../../security/pubsub-security.js';
import type { FrameGate } from '../frame-gate.js';
import type { RedisBus } from '../redis-bus.js';
import type { SendRefusal } from '../outbound-queue.js';
import { CHANNEL_NAMES } from '../../channels/channel-names.js';
import { GATE_CHECK, GATED_PUBLISH, markerKey, READ_MARKERS } from './gate-scripts.js';
import { streamEntryOf } from './stream-entry.js';
import { idBeforeTime, streamKey } from './stream-ids.js';

/** Runs a script on the bus's publishing connection, in order with the frames. */
export type ScriptRunner = (script: string, keys: string[], args: (string | number | Buffer)[]) => Promise<unknown>;

/**
 * On the same connection: WATCH `watch`, run the script, then publish the frame (and DEL `clear`) in a transaction
 * Redis runs only if no watched key was written meanwhile (RedisBus.publishChecked); receivers undefined: it did not run.
 */
export type CheckedPublisher = RedisBus['publishChecked'];

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
  /** A frame that carries no entries: checked, then published in a transaction (see GATE_CHECK). */
  publishChecked: CheckedPublisher;
  /**
   * Whether publishChecked can be used now (RedisBus.checkedPublishes); when not, such a frame goes through the
   * gate's one script like a frame with entries (the frame then passes through Lua). Default: always.
   */
  checkedPublishes?: () => boolean;
  /** The retention of a channel; undefined for one without (its messages never need an entry). */
  policyOf(channel: ChannelName): RetentionPolicy | undefined;
  now?: () => number;
}

/**
 * The publisher's side of the stream gate (gate-scripts.ts): a frame carrying entries (for the retained channels
 * this node believes to have a durable group) goes out in ONE script call with them, so Redis decides atomically
 * whether they are needed. A frame carrying none (no group known on its channels: at-most-once traffic) does not
 * pass through Lua, whose copy of a large frame cost Redis more than the PUBLISH itself: a small script checks the
 * markers between a WATCH of them and a transaction that publishes it, so it is published only if they are
 * still absent then, the same decision as the one script's. Without a group a publication costs no entry (no
 * signing, no XADD); a refusal teaches the node the channel's state, and the outbound queue re-sends the refused
 * frames, in order, in the next generation.
 */
export class StreamGate implements FrameGate {
  private readonly ready = new Set<ChannelName>();
  /** This node's publications a first group's seeding put in the stream: a re-sent frame carries no entry for them. */
  private readonly inStream = new WeakSet<PubSubMessage>();
  private generation = 0;
  /** Frames sent through the script and not answered yet: while any is, every frame goes through it. */
  private gatedInFlight = 0;
  private readonly refusalKey: string;
  /** The generation of the last checked frame whose transaction was to run (GATE_CHECK), until it ran. */
  private readonly pendingKey: string;
  private readonly now: () => number;

  constructor(private readonly options: StreamGateOptions) {
    this.refusalKey = `${options.prefix}:gate:${options.nodeName}:${randomBytes(6).toString('hex')}`;
    this.pendingKey = `${this.refusalKey}:pending`;
    this.now = options.now ?? Date.now;
  }

  /** Whether this node appends the channel's publications (it learnt that a durable group exists). */
  appends(channel: ChannelName): boolean {
    return this.ready.has(channel);
  }

  async refresh(): Promise<void> {
    const channels = CHANNEL_NAMES.filter((channel) => this.options.policyOf(channel) !== undefined);
    if (channels.length === 0) return;
    const keys = channels.flatMap((channel) => {
      const stream = streamKey(this.options.prefix, channel);
      return [markerKey(stream), stream];
    });
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
  publish(frame: Buffer, batch: readonly GatedEntry[]): Promise<number | SendRefusal> {
    const retained = this.retainedChannels(batch);
    // No retained channel: a plain PUBLISH (its promise as it is: no async step of the gate's per frame), unless a
    // checked frame before it may still be refused (this one must then be refused too, to keep the order of the
    // channels they share).
    if (retained.length === 0 && this.gatedInFlight === 0) return this.options.publish(frame);
    return this.publishGated(frame, batch, retained);
  }

  private async publishGated(
    frame: Buffer,
    batch: readonly GatedEntry[],
    retained: readonly { channel: ChannelName; policy: RetentionPolicy }[],
  ): Promise<number | SendRefusal> {
    const channels = retained.map(({ channel }) => channel);
    const keys = [this.refusalKey, this.pendingKey];
    // A checked frame's transaction watches the refusal key and each channel's marker.
    const watch = [this.refusalKey];
    for (const channel of channels) {
      const stream = streamKey(this.options.prefix, channel);
      const marker = markerKey(stream);
      keys.push(marker, stream);
      watch.push(marker);
    }
    // With entries, or where the bus cannot publish in a transaction: in the one script.
    const viaScript = channels.some((channel) => this.ready.has(channel)) || this.options.checkedPublishes?.() === false;
    this.gatedInFlight++;
    let status: unknown;
    let states: unknown[];
    try {
      if (viaScript)
        [status, ...states] = (await this.options.run(GATED_PUBLISH, keys, this.gatedArgs(frame, batch, retained))) as unknown[];
      else {
        const checked = await this.options.publishChecked(watch, GATE_CHECK, keys, [this.generation], frame, this.pendingKey);
        [status, ...states] = checked.reply as unknown[];
        // Checked, but a marker was written before the transaction: it did not run, and the rest of this
        // generation is stale (the pending key); the refused frames are re-sent once the next frames taught the state.
        if (status === 1) status = checked.receivers ?? -3;
      }
    } finally {
      this.gatedInFlight--;
    }
    states.forEach((state, i) => this.learn(channels[i], String(state)));
    if (status === -2) return { refused: 'stale', waitMs: 0 };
    if (status === -3) return { refused: 'changed', waitMs: 0 };
    if (status !== -1) return Number(status);
    return states.includes('seeding') ? { refused: 'seeding', waitMs: SEEDING_RETRY_MS } : { refused: 'entries', waitMs: 0 };
  }

  /** GATED_PUBLISH's arguments: the frame, and per retained channel its cap, its oldest id and its entries. */
  private gatedArgs(frame: Buffer, batch: readonly GatedEntry[], retained: readonly { channel: ChannelName; policy: RetentionPolicy }[]) {
    const args: (string | number | Buffer)[] = [this.generation, this.options.busChannel, frame];
    for (const { channel, policy } of retained) {
      const oldest = Number.isFinite(policy.maxAgeMs) ? idBeforeTime(this.now() - policy.maxAgeMs) : '';
      // Entries only where a group is believed to exist: a refusal is all the other channels could need.
      args.push(policy.maxMessages, oldest, this.ready.has(channel) ? this.streamEntries(batch, channel) : '');
    }
    return args;
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
