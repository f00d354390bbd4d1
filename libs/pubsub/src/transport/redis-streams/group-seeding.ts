import { randomBytes } from 'node:crypto';
import type { ChannelRetention } from '../../channels/channel-retention.js';
import type { ChannelName } from '../../channels/channel-names.js';
import type { PubSubMessage } from '../../channels/channel.types.js';
import type { ReplaySelector } from '../../durable/replay-selector.js';
import { RetentionLog, type TopicFilter } from '../../durable/retention-log.js';
import type { PubSubSecurity } from '../../security/pubsub-security.js';
import { markerKey, SEED_APPEND, SEED_BEGIN, SEED_FINISH } from './gate-scripts.js';
import { encodeStreamEntry } from './stream-entry.js';
import { idBefore, idBeforeTime } from './stream-ids.js';
import type { ScriptRunner } from './stream-gate.js';

/** A seeding marker outlives its node by this much at most; each seeded chunk renews it. */
export const SEEDING_EXPIRY_MS = 5_000;
const CHUNK_ENTRIES = 512;
/** While another node seeds a channel's first group, a group of this node asks again this often. */
const BUSY_RETRY_MS = 20;

/** What creating the first group of a channel needs from the node around it. */
export interface SeedingIo {
  readonly nodeName: string;
  readonly security: PubSubSecurity;
  /** On the bus's publishing connection, so a script is ordered with this node's frames. */
  run: ScriptRunner;
  /** Resolves once every frame Redis published before the call reached this node (and its retention log). */
  barrier(): Promise<void>;
  retention(channel: ChannelName): ChannelRetention | undefined;
  /** This node's publications of the channel its bus has not taken yet. */
  unsent(channel: ChannelName): PubSubMessage[];
  /** These messages of this node are in the stream already: their frames, when re-sent, carry no entry for them. */
  seeded(messages: readonly PubSubMessage[], yes: boolean): void;
  /** The channel has a group now: this node appends its publications from here on. */
  ready(channel: ChannelName): void;
}

export interface SeededGroup {
  channel: ChannelName;
  key: string;
  durable: string;
  /** The retention log's end when the group's first member joined: where the group starts without replay. */
  joinedAt: number;
  /** The first member's replay (undefined: the group starts where it joined). */
  replay: ReplaySelector | undefined;
  matches: TopicFilter;
}

/**
 * `created`: this node created the group with the channel's first ones; `lost` messages accepted after its first
 * member joined fell out of the retention log before the seeding. 'ready': the channel has groups already
 * (create this one on the stream as usual).
 */
export type SeedOutcome = { created: true; lost: number } | 'ready';

interface Seeding {
  groups: SeededGroup[];
  /** No more groups can join it (its history is being appended). */
  sealed: boolean;
  done: Promise<Map<SeededGroup, SeedOutcome>>;
}

/**
 * Creates the first durable groups of a channel whose publications were not appended to its stream (no group
 * needed them). Script 1 marks the stream `seeding`: from then on Redis refuses every frame carrying the channel
 * (its publishers hold and re-send them). A PING on this node's subscriber connection is answered after every
 * frame published before script 1, so the retention log then holds all of them: that history (this node's own
 * publications up to script 1 included, taken or not by the bus yet: those not taken are re-sent without their
 * entry) is appended in chunks that check the token, and script 2 creates the groups, each where its first member
 * joined (or at the first message its replay selects, if earlier), and marks the stream `ready`, atomically.
 * Groups of this node that join meanwhile are created by the same script 2. A node that dies in between leaves
 * the marker to expire after SEEDING_EXPIRY_MS; publishing then resumes without entries.
 */
export class GroupSeeding {
  private readonly running = new Map<string, Seeding>();

  constructor(private readonly io: SeedingIo) {}

  /**
   * Resolves once the group exists ('created') or is to be created as usual ('ready'), undefined if `closed()`
   * turned true meanwhile; rejects on a Redis error (the caller tries again later).
   */
  async seed(group: SeededGroup, closed: () => boolean): Promise<SeedOutcome | undefined> {
    while (!closed()) {
      const running = this.running.get(group.key);
      if (running !== undefined) {
        // Joined before its history is appended: created by the same script 2, else by the next seeding.
        if (!running.sealed) running.groups.push(group);
        const outcome = (await running.done).get(group);
        if (outcome !== undefined) return outcome;
        continue;
      }
      const seeding: Seeding = { groups: [group], sealed: false, done: Promise.resolve(new Map()) };
      seeding.done = this.run(seeding).finally(() => this.running.delete(group.key));
      this.running.set(group.key, seeding);
      const outcome = (await seeding.done).get(group);
      if (outcome !== undefined) return outcome;
      // Another node is seeding the channel: its marker turns `ready` (or expires) shortly.
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
    }
    return undefined;
  }

  /** Answers each group's outcome; none when another node seeds the channel or this node's marker expired. */
  private async run(seeding: Seeding): Promise<Map<SeededGroup, SeedOutcome>> {
    const io = this.io;
    const { channel, key } = seeding.groups[0];
    const marker = markerKey(key);
    const token = randomBytes(8).toString('hex');
    const outcomes = new Map<SeededGroup, SeedOutcome>();
    const begun = await io.run(SEED_BEGIN, [marker, key], [token, SEEDING_EXPIRY_MS]);
    const retention = io.retention(channel);
    if (begun === 'ready') {
      io.ready(channel);
      for (const group of seeding.groups) outcomes.set(group, 'ready');
      return outcomes;
    }
    if (begun !== 'mine' || retention === undefined) return outcomes;
    // Taken as the reply arrives: this node's later publications are refused until `ready`, then appended.
    const ownUntil = retention.log.end;
    // Taken with ownUntil: every one was accepted before it, so it is in the history or fell out of the log
    // (counted in `lost`); either way its re-sent frame must not append it after the history.
    const unsent = io.unsent(channel);
    await io.barrier();
    const history = seedHistory(retention, ownUntil, io.nodeName);
    const own = [...new Set([...history.filter((entry) => entry.message.node === io.nodeName).map((entry) => entry.message), ...unsent])];
    io.seeded(own, true);
    let finished = false;
    try {
      const ids = await appendHistory(io, key, token, retention, history);
      seeding.sealed = true;
      if (ids === undefined) return outcomes;
      const creations: (string | number)[] = [];
      for (const group of seeding.groups) {
        const start = startIndex(history, group);
        creations.push(group.durable, start < history.length ? idBefore(ids[start]) : '$', history.length - start);
        // This node's publications after script 1 are appended later, whether the log still holds them or not.
        outcomes.set(group, { created: true, lost: Math.max(0, Math.min(retention.log.start, ownUntil) - group.joinedAt) });
      }
      finished = (await io.run(SEED_FINISH, [marker, key], [token, ...creations])) === 1;
    } finally {
      if (!finished) io.seeded(own, false);
    }
    if (!finished) return new Map();
    io.ready(channel);
    return outcomes;
  }
}

/** The history as stream entries, in chunks; answers their ids, or undefined when the token expired meanwhile. */
async function appendHistory(
  io: SeedingIo,
  key: string,
  token: string,
  retention: ChannelRetention,
  history: readonly Retained[],
): Promise<string[] | undefined> {
  const { maxMessages, maxAgeMs } = retention.log.policy;
  const ids: string[] = [];
  for (let from = 0; from < history.length; from += CHUNK_ENTRIES) {
    // Each message was serialised by its publisher's bus already, so each has an entry.
    const entries = history.slice(from, from + CHUNK_ENTRIES).map(({ message }) => encodeStreamEntry(message, io.security)!);
    const oldest = Number.isFinite(maxAgeMs) ? idBeforeTime(Date.now() - maxAgeMs) : '';
    const added = await io.run(
      SEED_APPEND,
      [markerKey(key), key],
      [token, SEEDING_EXPIRY_MS, maxMessages, oldest, JSON.stringify(entries)],
    );
    if (!Array.isArray(added)) return undefined;
    for (const id of added) ids.push(String(id));
  }
  return ids;
}

interface Retained {
  message: PubSubMessage;
  position: number;
}

/**
 * The retained messages the stream gets, in the log's order: everything from other nodes (all published before
 * script 1), and this node's publications up to script 1, never its `local` ones.
 */
function seedHistory(retention: ChannelRetention, ownUntil: number, nodeName: string): Retained[] {
  const history: Retained[] = [];
  const log = retention.log;
  for (let position = log.start; position < log.end; position++) {
    const message = log.at(position)!;
    if (message.node === nodeName && (position >= ownUntil || retention.isLocalOnly(message))) continue;
    history.push({ message, position });
  }
  return history;
}

/** Where a group starts in the history: where its first member joined, or at the first message its replay selects before that. */
function startIndex(history: readonly Retained[], group: SeededGroup): number {
  let joined = history.findIndex((entry) => entry.position >= group.joinedAt);
  if (joined < 0) joined = history.length;
  if (group.replay === undefined) return joined;
  const log = new RetentionLog({ maxMessages: Number.MAX_SAFE_INTEGER, maxAgeMs: Number.POSITIVE_INFINITY });
  for (let i = 0; i < joined; i++) log.append(history[i].message);
  const selected = log.firstSelected(group.matches, group.replay);
  return selected < log.end ? selected : joined;
}
