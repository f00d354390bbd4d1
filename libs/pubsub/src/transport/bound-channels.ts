import type { ChannelSet } from '../channels/channel-set.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';

/**
 * The channels a transport's durable store reads (retention logs, failure counters): built after the transport,
 * since they take its transmit and durable backend, so known only from the transport's bind step on.
 */
export class BoundChannels {
  private bound: ChannelSet | undefined;

  bind(channels: ChannelSet): void {
    if (this.bound !== undefined) throw new PubSubError('transport', ERRORS.transportBoundTwice);
    this.bound = channels;
  }

  get channels(): ChannelSet {
    if (this.bound === undefined) throw new PubSubError('transport', ERRORS.transportNotBound);
    return this.bound;
  }
}
