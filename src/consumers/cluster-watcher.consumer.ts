import { Injectable, Logger } from '@nestjs/common';
import { OnLifecycle, PubSubManager, type ClusterMembership, type PubSubMessage } from '@gater/pubsub';

/** Who else is out there: with PUBSUB_REDIS_URL set, other demo instances join and leave here. */
@Injectable()
export class ClusterWatcher {
  private readonly logger = new Logger('ClusterWatcher');

  constructor(private readonly manager: PubSubManager) {}

  @OnLifecycle('cluster_membership')
  onMembership({ payload }: PubSubMessage<ClusterMembership>): void {
    this.logger.log(`${payload.event}: ${payload.affectedNodes.join(', ')}; live nodes now ${this.manager.nodes().join(', ')}`);
  }
}
