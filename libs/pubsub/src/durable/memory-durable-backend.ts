import type { ChannelName } from '../vocabulary/channel-names.js';
import type { PubSubMessage } from '../vocabulary/message.js';
import type { DurableBackend, DurableLag, DurableMemberOptions, DurableMembership, RetentionPolicy } from './durable-backend.js';
import { MemoryGroup } from './memory-group.js';
import type { RetentionLog } from './retention-log.js';

const NO_LAG: DurableLag = Object.freeze({ pending: 0, backlog: 0, oldestMs: 0 });

/**
 * Durable groups within one application: each reads its channel's RetentionLog, which already holds every
 * message this node accepted or received, so `append` has nothing to store and only wakes the groups.
 */
export class MemoryDurableBackend implements DurableBackend {
  readonly kind = 'memory';
  private readonly groups = new Map<ChannelName, Map<string, MemoryGroup>>();

  constructor(
    private readonly logOf: (channel: ChannelName) => RetentionLog | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  append(message: PubSubMessage, _retention: RetentionPolicy): void {
    this.wake(message.channel);
  }

  join(member: DurableMemberOptions): DurableMembership {
    const log = this.logOf(member.channel);
    // Channel.subscribe refuses durable subscriptions on channels without retention before coming here.
    if (log === undefined) throw new Error(`channel '${member.channel}' has no retention`);
    let groups = this.groups.get(member.channel);
    if (groups === undefined) {
      groups = new Map();
      this.groups.set(member.channel, groups);
      // Messages received from other nodes and local publications reach the log without an append call.
      const channel = member.channel;
      log.onAppend = () => this.wake(channel);
    }
    let group = groups.get(member.durable);
    if (group === undefined) {
      group = new MemoryGroup(log, member, this.now);
      groups.set(member.durable, group);
    }
    return group.join(member);
  }

  lag(channel: ChannelName, durable: string): DurableLag {
    return this.groups.get(channel)?.get(durable)?.lag() ?? NO_LAG;
  }

  async close(): Promise<void> {
    for (const groups of this.groups.values()) for (const group of groups.values()) group.close();
    this.groups.clear();
  }

  private wake(channel: ChannelName): void {
    const groups = this.groups.get(channel);
    if (groups !== undefined) for (const group of groups.values()) group.schedule();
  }
}
