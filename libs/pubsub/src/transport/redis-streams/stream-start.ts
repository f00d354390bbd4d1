import type { PubSubMessage } from '../../channels/channel.types.js';
import type { ReplaySelector } from '../../durable/replay-selector.js';
import type { StreamClient } from './stream-client.js';
import { idBefore } from './stream-ids.js';
import { wellFormed } from './stream-replies.js';

const PAGE = 500;

/** Reads a verified stream entry; undefined when it is not one (those are never replayed). */
export type EntryReader = (fields: unknown[] | null) => PubSubMessage | undefined;

/**
 * Where a new group starts: at the end of the stream ('$'), or, when its first member asks for `replay`, just
 * before the first entry that replay selects (the same choice RetentionLog.firstSelected makes in memory),
 * walking the stream backwards page by page from the newest entry.
 */
export async function startPosition(
  client: StreamClient,
  key: string,
  replay: ReplaySelector | undefined,
  matches: (topic: string) => boolean,
  read: EntryReader,
): Promise<string> {
  if (replay === undefined) return '$';
  let first: string | undefined;
  let count = 0;
  let end = '+';
  // Nothing selected: start after what the stream holds now (not at '$', which might skip what arrives meanwhile).
  let newest: string | undefined;
  for (;;) {
    const page = wellFormed(await client.call('XREVRANGE', key, end, '-', 'COUNT', PAGE));
    newest ??= page[0]?.[0];
    for (const [id, fields] of page) {
      const message = read(fields);
      if (message === undefined || !matches(message.topic)) continue;
      if (typeof replay === 'number') {
        if (count >= replay) return first === undefined ? (newest ?? '0') : idBefore(first);
        count++;
        first = id;
        continue;
      }
      if (replay.sinceId !== undefined && message.id === replay.sinceId) return first === undefined ? (newest ?? '0') : idBefore(first);
      if (replay.sinceMs === undefined || message.timestamp >= replay.sinceMs) first = id;
      else if (replay.sinceId === undefined) return first === undefined ? (newest ?? '0') : idBefore(first);
    }
    if (page.length < PAGE) break;
    end = `(${page[page.length - 1][0]}`;
  }
  return first === undefined ? (newest ?? '0') : idBefore(first);
}
