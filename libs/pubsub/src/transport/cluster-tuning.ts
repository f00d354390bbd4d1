import { DEFAULT_OUTBOUND_TUNING, type OutboundTuning } from './outbound-queue.js';

export interface ClusterTuning extends Omit<OutboundTuning, 'maxAgeMs' | 'maxMessageBytes'> {
  /** How long start() waits for the bus before carrying on without it. */
  openWaitMs: number;
  /** After a reconnect, how long data waits for the known peers to be subscribed again. */
  resumeGraceMs: number;
  /**
   * How long close() waits for queued messages to go out. With the goodbye and the bus's own close (each
   * bounded too) it keeps close() under 2 s, whatever state the backend is in.
   */
  closeFlushMs: number;
}

export const DEFAULT_CLUSTER_TUNING: ClusterTuning = {
  ...DEFAULT_OUTBOUND_TUNING,
  openWaitMs: 3_000,
  resumeGraceMs: 2_000,
  closeFlushMs: 1_000,
};
