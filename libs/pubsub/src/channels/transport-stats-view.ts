/**
 * What `PubSubManager.transportStats()` returns (exported as `TransportStats`): the transport's counters as
 * users see them. Defined here, below the transports, so the manager needs nothing from them.
 */
export interface TransportStatsView {
  type: 'memory' | 'redis';
  /** The bus is usable: connected, subscribed and answering (always true for the memory transport). */
  connected: boolean;
  /** Live nodes, this one included (`nodes().length`). */
  nodes: number;
  /** Messages waiting to be sent to other nodes (bounded). */
  queued: number;
  /** Messages sent to other nodes. */
  sent: number;
  /** Messages received from other nodes and delivered to this node's channels. */
  received: number;
  /** Messages never sent (queue full, too old, not serialisable, left at close); also in failedPublications. */
  sendFailures: number;
  /** Copies of already delivered messages, dropped. */
  duplicates: number;
  /**
   * Inbound traffic refused, by reason: wire frames (`invalid_signature`, `replayed`, ...) never delivered, and
   * `too_many_nodes`, signs of life from nodes not listed because the table held maxNodes.
   */
  rejected: Record<string, number>;
}

/** A single node without a remote transport: nothing crosses a wire. */
export function localTransportStats(): TransportStatsView {
  return { type: 'memory', connected: true, nodes: 1, queued: 0, sent: 0, received: 0, sendFailures: 0, duplicates: 0, rejected: {} };
}
