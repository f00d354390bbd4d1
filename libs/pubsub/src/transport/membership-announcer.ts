import type { ChannelSet } from '../channels/channel-set.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { LifecycleMessages } from '../messages/lifecycle.messages.js';
import { FloodGate, NAMED_SUBJECTS, nameNodes, quoteNode, type FloodSummary } from './flood-gate.js';
import type { TransportAlert } from './transport-contract.js';

export const CLUSTER_MEMBERSHIP_TOPIC = 'cluster_membership';

// Within one window: log lines per kind of change, and node_failure alerts, before the rest is summarised.
const LINES_PER_WINDOW = 10;
const ALERTS_PER_WINDOW = 3;
const FLOOD_WINDOW_MS = 1_000;

type LineKind = 'joined' | 'left' | 'failed' | 'refused';

export interface MembershipLimits {
  nodeTimeoutMs: number;
  maxNodes: number;
}

/**
 * Tells this node's subscribers about joins and leaves: `cluster_membership_changed` on the lifecycle
 * channel, topic `cluster_membership`, on this node only (every node reports what it sees). A node that went
 * silent also raises a critical `node_failure` alert. Logs and alerts name a few nodes and count the rest,
 * and a flood of changes (forged heartbeats from invented names) is logged and alerted as a summary.
 */
export class MembershipAnnouncer {
  private readonly lines: FloodGate;
  private readonly failures: FloodGate;

  constructor(
    private readonly channels: ChannelSet,
    private readonly self: string,
    private readonly alert: (alert: TransportAlert) => void,
    private readonly limits: MembershipLimits,
    private readonly logger: PubSubLogger,
    private readonly liveCount: () => number,
  ) {
    this.lines = new FloodGate(
      (kind) => (kind === 'refused' ? 1 : LINES_PER_WINDOW),
      FLOOD_WINDOW_MS,
      (summary) => this.summariseLines(summary),
    );
    this.failures = new FloodGate(
      () => ALERTS_PER_WINDOW,
      FLOOD_WINDOW_MS,
      (summary) => this.summariseFailures(summary),
    );
  }

  added(node: string, activeNodes: string[]): void {
    if (this.lines.admit('joined', node)) this.logger.log(`Node ${quoteNode(node)} joined; ${describeLive(activeNodes)}`);
    this.publish('node_added', node, activeNodes, node);
  }

  removed(node: string, activeNodes: string[], timedOut: boolean, silentForMs: number): void {
    if (!timedOut) {
      if (this.lines.admit('left', node)) this.logger.log(`Node ${quoteNode(node)} left; ${describeLive(activeNodes)}`);
      this.publish('node_removed', node, activeNodes, node);
      return;
    }
    const { nodeTimeoutMs } = this.limits;
    if (this.lines.admit('failed', node)) {
      this.logger.warn(
        `Node ${quoteNode(node)} silent for ${silentForMs} ms (nodeTimeoutMs ${nodeTimeoutMs}): removed; ${describeLive(activeNodes)}`,
      );
    }
    this.publish('node_removed', node, activeNodes, this.self);
    if (!this.failures.admit('node_failure', node)) return;
    this.alert({
      rule: 'node_failure',
      severity: 'critical',
      title: `Node ${quoteNode(node)} stopped responding (silent for ${silentForMs} ms) and was removed from the cluster`,
      // The whole list only while it is short: an alert's size must not grow with the cluster (or a flood).
      details: {
        node,
        silentForMs,
        nodeTimeoutMs,
        liveNodes: activeNodes.length,
        ...(activeNodes.length <= NAMED_SUBJECTS ? { activeNodes } : {}),
      },
    });
  }

  refused(node: string): void {
    if (!this.lines.admit('refused', node)) return;
    this.logger.warn(
      `Node ${quoteNode(node)} was not added to the live-node table: it already holds maxNodes (${this.limits.maxNodes}) nodes; ` +
        'further refusals are summarised and counted in transportStats().rejected.too_many_nodes',
    );
  }

  /** Reports what floods are still holding back. */
  close(): void {
    this.lines.flush();
    this.failures.flush();
  }

  private summariseLines({ key, count, sample, windowMs }: FloodSummary): void {
    const nodes = nameNodes(sample, count);
    const live = `${this.liveCount()} live node(s)`;
    const what: Record<LineKind, () => void> = {
      joined: () => this.logger.log(`${count} more node(s) joined within ${windowMs} ms (${nodes}); ${live}`),
      left: () => this.logger.log(`${count} more node(s) left within ${windowMs} ms (${nodes}); ${live}`),
      failed: () =>
        this.logger.warn(
          `${count} more node(s) went silent for over ${this.limits.nodeTimeoutMs} ms and were removed within ${windowMs} ms (${nodes}); ${live}`,
        ),
      refused: () =>
        this.logger.warn(
          `${count} more sign(s) of life from nodes not in the live-node table were refused within ${windowMs} ms (${nodes}): it holds maxNodes (${this.limits.maxNodes})`,
        ),
    };
    what[key as LineKind]?.();
  }

  private summariseFailures({ count, sample, windowMs }: FloodSummary): void {
    const liveNodes = this.liveCount();
    this.alert({
      rule: 'node_failure',
      severity: 'critical',
      title: `${count} more node(s) stopped responding within ${windowMs} ms and were removed from the cluster (${nameNodes(sample, count)}); ${liveNodes} live node(s)`,
      details: { nodes: count, sample, nodeTimeoutMs: this.limits.nodeTimeoutMs, liveNodes },
    });
  }

  private publish(event: 'node_added' | 'node_removed', node: string, activeNodes: string[], originatingNode: string): void {
    const lifecycle = this.channels.channel('lifecycle');
    if (lifecycle.isClosed) return;
    const message = LifecycleMessages.clusterMembership({ event, affectedNodes: [node], activeNodes, originatingNode });
    const result = lifecycle.publish(CLUSTER_MEMBERSHIP_TOPIC, message, { local: true });
    if (!result.ok) this.logger.error(`cluster_membership_changed could not be published: ${result.reason} ${result.error ?? ''}`);
  }
}

function describeLive(activeNodes: readonly string[]): string {
  return `${activeNodes.length} live node(s): ${nameNodes(activeNodes)}`;
}
