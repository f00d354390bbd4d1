/** `[id, [field, value, ...]]`, or `[id, null]` for an entry trimmed while it was pending. */
export type StreamEntry = [id: string, fields: unknown[] | null];

/**
 * The entries of `key` in an XREAD/XREADGROUP reply, whatever the protocol: RESP2 answers `[[key, entries], ...]`,
 * RESP3 a map that ioredis's `call()` hands over flattened (`[key, entries, ...]`) or, with the resp3 reply
 * mapping, as an object. Anything that is not a well-formed entry is left out (its id could not be acknowledged).
 */
export function streamReadEntries(reply: unknown, key: string): StreamEntry[] {
  if (reply === null || typeof reply !== 'object') return [];
  if (!Array.isArray(reply)) return wellFormed((reply as Record<string, unknown>)[key]);
  if (reply.length > 0 && Array.isArray(reply[0])) {
    const pair = (reply as unknown[][]).find((item) => item[0] === key);
    return wellFormed(pair?.[1]);
  }
  for (let i = 0; i + 1 < reply.length; i += 2) if (reply[i] === key) return wellFormed(reply[i + 1]);
  return [];
}

/** Entries of an XRANGE/XREVRANGE/XCLAIM reply, or the second element of an XAUTOCLAIM reply. */
export function wellFormed(entries: unknown): StreamEntry[] {
  if (!Array.isArray(entries)) return [];
  return entries.filter(
    (entry): entry is StreamEntry =>
      Array.isArray(entry) && typeof entry[0] === 'string' && /^\d+-\d+$/.test(entry[0]) && (entry[1] === null || Array.isArray(entry[1])),
  );
}

/** A flat `[name, value, ...]` reply (XINFO) as a record. */
export function toRecord(flat: unknown): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  if (!Array.isArray(flat)) return record;
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1];
  return record;
}
