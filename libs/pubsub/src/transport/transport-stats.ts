import type { SecureMessageError } from '../security/pubsub-security.js';

/** What the transport itself counts; per-channel effects are also counted in each channel's stats. */
export interface TransportStats {
  kind: 'memory' | 'redis';
  up: boolean;
  framesSent: number;
  framesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  /** Messages waiting to be sent (bounded). */
  pending: number;
  /** Messages never sent: queue overflow, too old to send, not serialisable, or left at close. */
  sendFailures: number;
  /** Messages other nodes sent that never arrived (sequence gaps), over all channels. */
  lost: number;
  /** Duplicates of already delivered messages (a frame re-sent after an ambiguous failure), dropped. */
  duplicates: number;
  /** Wire frames rejected, by reason; never delivered. */
  rejected: Partial<Record<SecureMessageError, number>>;
  /** Times the bus went down after start. */
  outages: number;
}

export function emptyTransportStats(kind: TransportStats['kind'], up: boolean): TransportStats {
  return {
    kind,
    up,
    framesSent: 0,
    framesReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    pending: 0,
    sendFailures: 0,
    lost: 0,
    duplicates: 0,
    rejected: {},
    outages: 0,
  };
}
