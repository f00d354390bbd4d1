import type { TransportStatsView } from '../channels/transport-stats-view.js';
import type { FrameRejection } from './wire-frame.js';

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
  /** Wire frames rejected, by reason (each frame once, whatever it carried); never delivered. */
  rejected: Partial<Record<FrameRejection, number>>;
  /** Data frames the bus refused and the queue re-sent (the stream gate: a durable group being created, or just created). */
  framesRefused: number;
  /** Times the bus went down after start. */
  outages: number;
  /** Signs of life from nodes left out of the live-node table because it already held maxNodes. */
  nodesRefused: number;
}

/** The public view of a transport's counters (`PubSubManager.transportStats()`). */
export function viewTransportStats(stats: TransportStats, nodes: number): TransportStatsView {
  const rejected: Record<string, number> = {};
  for (const [reason, count] of Object.entries(stats.rejected)) if (count !== undefined && count > 0) rejected[reason] = count;
  if (stats.nodesRefused > 0) rejected.too_many_nodes = stats.nodesRefused;
  return {
    type: stats.kind,
    connected: stats.up,
    nodes,
    queued: stats.pending,
    sent: stats.messagesSent,
    received: stats.messagesReceived,
    sendFailures: stats.sendFailures,
    duplicates: stats.duplicates,
    rejected,
  };
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
    framesRefused: 0,
    outages: 0,
    nodesRefused: 0,
  };
}
