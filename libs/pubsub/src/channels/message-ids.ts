import { randomBytes } from 'node:crypto';

/** Three-digit suffixes, rendered once: an id is the current thousand's string plus one of these. */
const SUFFIXES = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * Message ids: a random per-process prefix and a counter. Unique across nodes and restarts (which replay
 * protection relies on) at the cost of one string concatenation per message, not a UUID. The counter is
 * written in decimal, its last three digits from a table: converting a number to a string on every publish
 * cost about 80 ns, several times the concatenation (the thousands are converted once per thousand ids).
 */
export class MessageIdSource {
  private readonly prefix = `${randomBytes(6).toString('hex')}-`;
  private thousands = 0;
  private head = this.prefix;
  private units = 0;
  /** The head idOf rendered last: a drafted burst asks for consecutive sequences, a thousand per head. */
  private renderedThousands = 0;
  private renderedHead = this.prefix;

  next(): string {
    if (++this.units === SUFFIXES.length) {
      this.units = 0;
      this.head = this.prefix + ++this.thousands;
    }
    return this.head + SUFFIXES[this.units];
  }

  /** The sequence number of the id `next` returned last: idOf(sequence) renders the same id again. */
  get sequence(): number {
    return this.thousands * SUFFIXES.length + this.units;
  }

  /**
   * The id of a sequence number, equal to the one `next` returned for it. A queued publication can keep the
   * number (held in its slot) instead of the id string (32 B the scavenger copies until its turn).
   */
  idOf(sequence: number): string {
    const thousands = Math.floor(sequence / SUFFIXES.length);
    if (thousands !== this.renderedThousands) {
      this.renderedThousands = thousands;
      this.renderedHead = thousands === 0 ? this.prefix : this.prefix + thousands;
    }
    return this.renderedHead + SUFFIXES[sequence - thousands * SUFFIXES.length];
  }
}

/**
 * Subscription ids (`<channel>-sub-<n>`, n in base 36): one sequence per ChannelSet, so ids are unique among
 * an application's channels and two applications in one process do not share a counter.
 */
export class SubscriptionIdSource {
  private sequence = 0;

  next(channel: string): string {
    return `${channel}-sub-${(++this.sequence).toString(36)}`;
  }
}
