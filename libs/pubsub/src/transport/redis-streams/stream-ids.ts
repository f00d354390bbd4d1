/** Redis stream ids (`<ms>-<seq>`): the arithmetic a consumer group's start position needs. */
const MAX_SEQUENCE = '18446744073709551615';

/** The id just before `id`, so a group created at it reads `id` first. */
export function idBefore(id: string): string {
  const [ms, seq] = id.split('-');
  const sequence = BigInt(seq ?? '0');
  if (sequence > 0n) return `${ms}-${sequence - 1n}`;
  const millis = BigInt(ms ?? '0');
  return millis > 0n ? `${millis - 1n}-${MAX_SEQUENCE}` : '0';
}

/** The last id before the millisecond `ms`: a group created at it reads entries added at or after `ms`. */
export function idBeforeTime(ms: number): string {
  return ms <= 0 ? '0' : `${Math.floor(ms) - 1}-${MAX_SEQUENCE}`;
}

export function idTime(id: string): number {
  return Number(id.split('-')[0]);
}

export function streamKey(prefix: string, channel: string): string {
  return `${prefix}:stream:${channel}`;
}
