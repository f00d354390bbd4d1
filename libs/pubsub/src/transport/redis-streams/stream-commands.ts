import type { DurableLag } from '../../durable/durable-backend.js';
import type { StreamClient } from './stream-client.js';
import { idTime } from './stream-ids.js';
import { streamReadEntries, toRecord, wellFormed, type StreamEntry } from './stream-replies.js';
import { UNREPORTED_LOST } from './stream-scripts.js';

/** One group of one stream, named as Redis knows it. */
export interface GroupAddress {
  readonly key: string;
  readonly durable: string;
}

export interface Claimed {
  cursor: string;
  entries: StreamEntry[];
  /** Pending entries that were trimmed meanwhile (Redis drops them from the pending list). */
  deleted: number;
  /** Delivery counts Redis keeps, the claim included. */
  counts: Map<string, number>;
}

/** XAUTOCLAIM: entries of the group idle for at least `minIdleMs`, now `consumer`'s, with their delivery counts. */
export async function autoClaim(
  client: StreamClient,
  group: GroupAddress,
  consumer: string,
  minIdleMs: number,
  cursor: string,
  count: number,
): Promise<Claimed> {
  const reply = await client.call('XAUTOCLAIM', group.key, group.durable, consumer, minIdleMs, cursor, 'COUNT', count);
  const [next, claimed, deleted] = Array.isArray(reply) ? (reply as unknown[]) : [];
  const entries = wellFormed(claimed);
  const counts = entries.length === 0 ? new Map<string, number>() : await deliveryCounts(client, group, consumer, entries);
  return { cursor: typeof next === 'string' ? next : '0-0', entries, deleted: Array.isArray(deleted) ? deleted.length : 0, counts };
}

/**
 * XCLAIM of single entries, each only if it stayed idle for as long as given (so not if another node claimed it
 * since). Answers the entries claimed; Redis counted one more delivery for each.
 */
export async function claimEach(
  client: StreamClient,
  group: GroupAddress,
  consumer: string,
  wanted: [id: string, minIdleMs: number][],
): Promise<StreamEntry[]> {
  const pipeline = client.pipeline();
  for (const [id, minIdleMs] of wanted) pipeline.call('XCLAIM', group.key, group.durable, consumer, minIdleMs, id);
  const results = (await pipeline.exec()) ?? [];
  return results.flatMap(([error, reply]) => (error === null ? wellFormed(reply).slice(0, 1) : []));
}

async function deliveryCounts(
  client: StreamClient,
  group: GroupAddress,
  consumer: string,
  entries: StreamEntry[],
): Promise<Map<string, number>> {
  const first = entries[0][0];
  const last = entries[entries.length - 1][0];
  const reply = await client.call('XPENDING', group.key, group.durable, first, last, entries.length * 2, consumer);
  const counts = new Map<string, number>();
  for (const row of Array.isArray(reply) ? reply : []) {
    if (Array.isArray(row) && typeof row[0] === 'string') counts.set(row[0], Number(row[3]));
  }
  return counts;
}

/**
 * The group's lag for stats (pending, unread, age of the oldest of them by stream id time) and the losses no
 * node reported yet (see UNREPORTED_LOST); undefined lag when the group does not exist.
 */
export async function groupLag(client: StreamClient, group: GroupAddress, lostKey: string): Promise<{ lost: number; lag?: DurableLag }> {
  const [[, lost], [, groups], [, summary]] = ((await client
    .pipeline()
    .call('EVAL', UNREPORTED_LOST, 2, group.key, lostKey, group.durable)
    .call('XINFO', 'GROUPS', group.key)
    .call('XPENDING', group.key, group.durable)
    .exec()) ?? []) as Array<[Error | null, unknown]>;
  const found = (Array.isArray(groups) ? groups : []).map(toRecord).find((record) => record.name === group.durable);
  if (found === undefined) return { lost: Number(lost ?? 0) };
  const pending = Number(found.pending ?? 0);
  const backlog = Number(found.lag ?? 0);
  const oldestPending = Array.isArray(summary) && typeof summary[1] === 'string' ? summary[1] : undefined;
  let oldest = oldestPending === undefined ? Number.POSITIVE_INFINITY : idTime(oldestPending);
  if (backlog > 0) {
    const [next] = wellFormed(await client.call('XRANGE', group.key, `(${String(found['last-delivered-id'])}`, '+', 'COUNT', 1));
    if (next !== undefined) oldest = Math.min(oldest, idTime(next[0]));
  }
  const oldestMs = oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, Date.now() - oldest);
  return { lost: Number(lost ?? 0), lag: { pending, backlog, oldestMs } };
}

/**
 * XREADGROUP of new entries for `consumer` (blocking up to `blockMs` if given), after the group's unreported
 * trimmed entries are taken off the shared tally: trimming is only seen before a read, which folds what it
 * skipped into the group's entries-read. `error`: the read failed (NOGROUP included); what was taken off the
 * tally is in `lost` all the same. Rejects when neither answered (the connection).
 */
export async function readNew(
  reader: StreamClient,
  group: GroupAddress,
  lostKey: string,
  consumer: string,
  count: number,
  blockMs: number | undefined,
): Promise<{ lost: number; entries: StreamEntry[]; error?: Error }> {
  const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
  const results = ((await reader
    .pipeline()
    .call('EVAL', UNREPORTED_LOST, 2, group.key, lostKey, group.durable)
    .call('XREADGROUP', 'GROUP', group.durable, consumer, 'COUNT', count, ...block, 'STREAMS', group.key, '>')
    .exec()) ?? []) as Array<[Error | null, unknown]>;
  const [[lostError, lost] = [null, 0], [readError, reply] = [null, null]] = results;
  const taken = lostError === null ? Number(lost ?? 0) : 0;
  if (readError !== null) return { lost: taken, entries: [], error: readError };
  return { lost: taken, entries: streamReadEntries(reply, group.key) };
}
