import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import type { Bus, BusHandlers } from './bus.js';

/**
 * An in-process stand-in for Redis pub/sub: every connected node gets every frame as text (so messages
 * cross a real serialisation, like a wire), asynchronously and in publication order. Lets several
 * ChannelSets in one process act as separate nodes, and can simulate an outage (`setDown`), taps and
 * injected frames, which is what runs the transport conformance suite without Redis.
 */
export class MemoryHub {
  private readonly endpoints = new Set<MemoryBus>();
  private readonly taps = new Set<(text: string) => void>();
  private isDown = false;

  get down(): boolean {
    return this.isDown;
  }

  /** A bus endpoint for one node; it joins the hub when the transport opens it. */
  connect(nodeName: string): MemoryBus {
    return new MemoryBus(this, nodeName);
  }

  /** Puts a raw frame on the hub, as `redis-cli PUBLISH` would. */
  inject(text: string): number {
    return this.deliver(text);
  }

  /** Sees every frame published from now on; returns the function that stops it. */
  tap(listener: (text: string) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  /** Simulates the backend going away (frames in transit are lost, as with a dropped connection) and back. */
  setDown(down: boolean): void {
    if (this.isDown === down) return;
    this.isDown = down;
    for (const endpoint of [...this.endpoints]) endpoint.hubStateChanged(!down);
  }

  /** @internal */
  attach(endpoint: MemoryBus): void {
    this.endpoints.add(endpoint);
  }

  /** @internal */
  detach(endpoint: MemoryBus): void {
    this.endpoints.delete(endpoint);
  }

  /** @internal Delivers to every endpoint; returns how many received it. */
  deliver(text: string): number {
    if (this.isDown) return 0;
    for (const tap of this.taps) tap(text);
    for (const endpoint of this.endpoints) endpoint.enqueue(text);
    return this.endpoints.size;
  }
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  readonly description: string;
  private handlers: BusHandlers | undefined;
  private attached = false;
  private queue: string[] = [];
  private scheduled = false;

  constructor(
    private readonly hub: MemoryHub,
    nodeName: string,
  ) {
    this.description = `memory hub (node ${nodeName})`;
  }

  get up(): boolean {
    return this.attached && !this.hub.down;
  }

  async open(handlers: BusHandlers): Promise<void> {
    this.handlers = handlers;
    this.attached = true;
    this.hub.attach(this);
    if (this.up) handlers.state(true, 'attached to the hub');
  }

  publish(frame: string | Buffer): Promise<number> {
    if (!this.up) return Promise.reject(new PubSubError('transport', ERRORS.memoryHubDown));
    return Promise.resolve(this.hub.deliver(typeof frame === 'string' ? frame : frame.toString('utf8')));
  }

  async close(): Promise<void> {
    this.detach();
  }

  abort(): void {
    this.detach();
  }

  /** @internal */
  enqueue(text: string): void {
    this.queue.push(text);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drain);
  }

  /** @internal */
  hubStateChanged(up: boolean): void {
    if (!up) this.queue = [];
    if (this.attached) this.handlers?.state(up, up ? 'hub back' : 'hub down');
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const frames = this.queue;
    this.queue = [];
    for (const text of frames) {
      if (!this.attached) return;
      this.handlers?.frame(text);
    }
  };

  private detach(): void {
    this.attached = false;
    this.queue = [];
    this.hub.detach(this);
  }
}
