import { randomBytes } from 'node:crypto';

/**
 * Message ids: a random per-process prefix and a counter. Unique across nodes and restarts (which replay
 * protection relies on) at the cost of one string concatenation per message, not a UUID.
 */
export class MessageIdSource {
  private readonly prefix = randomBytes(6).toString('hex');
  private sequence = 0;

  next(): string {
    return `${this.prefix}-${(++this.sequence).toString(36)}`;
  }
}

let subscriptionSequence = 0;

export function nextSubscriptionId(channel: string): string {
  return `${channel}-sub-${(++subscriptionSequence).toString(36)}`;
}
