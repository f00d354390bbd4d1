import type { ChannelSet } from '../channels/channel-set.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { LifecycleMessages } from '../messages/lifecycle.messages.js';
import type { TransportAlert } from './transport-layer.js';

export const CLUSTER_MEMBERSHIP_TOPIC = 'cluster_membership';

/**
 * Tells this node's subscribers about joins and leaves: `cluster_membership_changed` on the lifecycle
 * channel, topic `cluster_membership`, on this node only (every node reports what it sees). A node that went
 * silent also raises a critical `node_failure` alert.
 */
export class MembershipAnnouncer {
  constructor(
    private readonly channels: ChannelSet,
    private readonly self: string,
    private readonly alert: (alert: TransportAlert) => void,
    private readonly nodeTimeoutMs: number,
    private readonly logger: PubSubLogger,
  ) {}

  added(node: string, activeNodes: string[]): void {
    this.logger.log(`Node '${node}' joined; live nodes: ${activeNodes.join(', ')}`);
    this.publish('node_added', node, activeNodes, node);
  }

  removed(node: string, activeNodes: string[], timedOut: boolean, silentForMs: number): void {
    if (!timedOut) {
      this.logger.log(`Node '${node}' left; live nodes: ${activeNodes.join(', ')}`);
      this.publish('node_removed', node, activeNodes, node);
      return;
    }
    this.logger.warn(`Node '${node}' silent for ${silentForMs} ms (nodeTimeoutMs ${this.nodeTimeoutMs}): removed; live nodes: ${activeNodes.join(', ')}`);
    this.publish('node_removed', node, activeNodes, this.self);
    this.alert({
      rule: 'node_failure',
      severity: 'critical',
      title: `Node '${node}' stopped responding (silent for ${silentForMs} ms) and was removed from the cluster`,
      details: { node, silentForMs, nodeTimeoutMs: this.nodeTimeoutMs, activeNodes },
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
