/** Pairs per chunk: a busy channel's thousand publications between two yields fit in one. */
const PAIRS_PER_CHUNK = 1024;
const SLOTS = PAIRS_PER_CHUNK * 2;

interface Chunk {
  readonly slots: unknown[];
  next: Chunk | undefined;
}

/**
 * A FIFO of (first, second) pairs in a list of fixed-size chunks, both halves of a pair side by side.
 * Unlike a ring buffer it never copies what it holds to grow: a burst of a million publications costs a
 * thousand small arrays, not ever larger ones copied at each doubling (4 % of a burst profile). One emptied
 * chunk is kept for the next pushes, so a queue that fills and drains every turn allocates nothing.
 */
export class PairQueue<A, B> {
  private head: Chunk | undefined;
  private tail: Chunk | undefined;
  /** Slot of the oldest pair in `head`. */
  private headSlot = 0;
  /** Next free slot in `tail`. */
  private tailSlot = 0;
  private spare: Chunk | undefined;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(first: A, second: B): void {
    let tail = this.tail;
    if (tail === undefined) {
      tail = this.head = this.tail = this.chunk();
      this.headSlot = this.tailSlot = 0;
    } else if (this.tailSlot === SLOTS) {
      tail = tail.next = this.tail = this.chunk();
      this.tailSlot = 0;
    }
    tail.slots[this.tailSlot] = first;
    tail.slots[this.tailSlot + 1] = second;
    this.tailSlot += 2;
    this.count++;
  }

  /** The oldest pair's first half; undefined when empty. */
  peekFirst(): A | undefined {
    return this.count === 0 ? undefined : (this.head!.slots[this.headSlot] as A);
  }

  /** The oldest pair's second half; only when not empty. */
  peekSecond(): B {
    return this.head!.slots[this.headSlot + 1] as B;
  }

  /** The newest pair's first half; only when not empty. */
  peekLastFirst(): A {
    return this.tail!.slots[this.tailSlot - 2] as A;
  }

  /** The newest pair's second half; only when not empty. */
  peekLastSecond(): B {
    return this.tail!.slots[this.tailSlot - 1] as B;
  }

  /** Replaces the oldest pair; only when not empty. */
  replaceFirstPair(first: A, second: B): void {
    const slots = this.head!.slots;
    slots[this.headSlot] = first;
    slots[this.headSlot + 1] = second;
  }

  /** Pairs from the oldest on that sit in one chunk, which `firstAt`, `secondAt` and `replaceAt` reach. */
  get headRun(): number {
    if (this.count === 0) return 0;
    return ((this.head === this.tail ? this.tailSlot : SLOTS) - this.headSlot) >> 1;
  }

  /** The first half of the pair `index` places after the oldest; only for an index below `headRun`. */
  firstAt(index: number): A {
    return this.head!.slots[this.headSlot + 2 * index] as A;
  }

  /** The second half of the pair `index` places after the oldest; only for an index below `headRun`. */
  secondAt(index: number): B {
    return this.head!.slots[this.headSlot + 2 * index + 1] as B;
  }

  /** Replaces the pair `index` places after the oldest; only for an index below `headRun`. */
  replaceAt(index: number, first: A, second: B): void {
    const slots = this.head!.slots;
    slots[this.headSlot + 2 * index] = first;
    slots[this.headSlot + 2 * index + 1] = second;
  }

  /** Removes the oldest pair, if any (a handler may have cleared the queue under its caller). */
  shift(): void {
    if (this.count === 0) return;
    const head = this.head!;
    head.slots[this.headSlot] = undefined;
    head.slots[this.headSlot + 1] = undefined;
    this.headSlot += 2;
    if (--this.count === 0 && head === this.tail) {
      this.headSlot = this.tailSlot = 0;
    } else if (this.headSlot === SLOTS) {
      this.head = head.next;
      head.next = undefined;
      this.spare = head;
      this.headSlot = 0;
    }
  }

  /** Visits every pair, the oldest first. */
  forEach(visit: (first: A, second: B) => void): void {
    let slot = this.headSlot;
    for (let chunk = this.head, left = this.count; chunk !== undefined && left > 0; chunk = chunk.next, slot = 0) {
      const end = chunk === this.tail ? this.tailSlot : SLOTS;
      for (; slot < end && left > 0; slot += 2, left--) visit(chunk.slots[slot] as A, chunk.slots[slot + 1] as B);
    }
  }

  clear(): void {
    this.head = this.tail = this.spare = undefined;
    this.headSlot = this.tailSlot = this.count = 0;
  }

  private chunk(): Chunk {
    const spare = this.spare;
    if (spare !== undefined) {
      this.spare = undefined;
      return spare;
    }
    return { slots: new Array<unknown>(SLOTS), next: undefined };
  }
}
