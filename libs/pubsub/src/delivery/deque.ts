/**
 * A FIFO queue on a growable ring buffer. Storage is allocated on first push, so an idle mailbox costs a
 * few fields rather than an array sized for its limit.
 */
const RETAINED_CAPACITY = 256;

export class Deque<T> {
  private items: (T | undefined)[] | undefined;
  private head = 0;
  private count = 0;

  /** `retainedCapacity`: the largest storage an emptied queue keeps (a busy channel's queue refills at once). */
  constructor(private readonly retainedCapacity = RETAINED_CAPACITY) {}

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    let items = this.items;
    if (items === undefined) items = this.items = new Array<T | undefined>(8);
    else if (this.count === items.length) items = this.grow(items);
    items[(this.head + this.count) & (items.length - 1)] = item;
    this.count++;
  }

  shift(): T | undefined {
    const items = this.items;
    if (items === undefined || this.count === 0) return undefined;
    const item = items[this.head];
    items[this.head] = undefined;
    this.head = (this.head + 1) & (items.length - 1);
    this.count--;
    if (this.count === 0 && items.length > this.retainedCapacity) this.release();
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items![this.head];
  }

  clear(): void {
    this.release();
  }

  /** Each item, oldest first. */
  forEach(visit: (item: T) => void): void {
    for (let i = 0; i < this.count; i++) visit(this.items![(this.head + i) & (this.items!.length - 1)] as T);
  }

  // Capacity stays a power of two so that wrapping is a mask, not a modulo.
  private grow(items: (T | undefined)[]): (T | undefined)[] {
    const next = new Array<T | undefined>(items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = items[(this.head + i) & (items.length - 1)];
    this.head = 0;
    this.items = next;
    return next;
  }

  // A drained burst gives its memory back instead of pinning the high-water mark; a small buffer is kept
  // so that a mailbox holding a message or two does not allocate one per delivery.
  private release(): void {
    this.items = undefined;
    this.head = 0;
    this.count = 0;
  }
}
