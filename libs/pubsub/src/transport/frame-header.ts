import { isChannelName, type ChannelName } from '../channels/channel-names.js';

/** Data, heartbeat, join, bye: what a frame says besides its entries. */
export type FrameKind = 'd' | 'h' | 'j' | 'b';

const KINDS: ReadonlySet<string> = new Set(['d', 'h', 'j', 'b']);

/** The second line of a frame, read once the frame is known to be authentic (or the cluster is unsigned). */
export interface Header {
  node: string;
  epochStartedAt: number;
  number: number;
  timestamp: number;
  kind: FrameKind;
  count: number;
  sent?: Map<ChannelName, number>;
}

export function readHeader(text: string): Header | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const { n, es, f, t, k, c, s } = raw as Record<string, unknown>;
  if (typeof n !== 'string' || n === '' || typeof k !== 'string' || !KINDS.has(k)) return undefined;
  if (!isCount(es) || !isCount(f) || f < 1 || !isCount(t) || !isCount(c)) return undefined;
  const sent = readSent(s);
  if (sent === null) return undefined;
  return { node: n, epochStartedAt: es, number: f, timestamp: t, kind: k as FrameKind, count: c, sent };
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The announced sequence numbers: undefined when absent, null when malformed. */
function readSent(raw: unknown): Map<ChannelName, number> | undefined | null {
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const sent = new Map<ChannelName, number>();
  for (const [channel, seq] of Object.entries(raw)) {
    if (!isChannelName(channel) || !isCount(seq)) return null;
    sent.set(channel, seq);
  }
  return sent;
}
