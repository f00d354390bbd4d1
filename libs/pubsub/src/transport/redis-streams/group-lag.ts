import type { ThrottledLog } from '../../delivery/throttled-log.js';
import type { DurableLag } from '../../durable/durable-backend.js';
import { ERRORS } from '../../error-messages.js';
import type { StreamClient } from './stream-client.js';
import { groupLag, type GroupAddress } from './stream-commands.js';
import { PRUNE_CONSUMERS } from './stream-scripts.js';

const LAG_REFRESH_MS = 250;
const PRUNE_EVERY_MS = 60_000;
export const NO_LAG: DurableLag = Object.freeze({ pending: 0, backlog: 0, oldestMs: 0 });

/** What a group's lag needs from the group: where it is in Redis, and what it knows of itself. */
export interface LagHost {
  readonly address: GroupAddress;
  readonly lostKey: string;
  readonly log: ThrottledLog;
  /** Consumers idle for longer than this with nothing pending are deleted from the group. */
  readonly idleConsumerMs: number;
  /** The writer connection, when the group exists in Redis and is not closed. */
  writer(): StreamClient | undefined;
  closed(): boolean;
  /** This node's consumers of the group (never pruned). */
  consumers(): string[];
  reportLost(count: number): void;
}

/**
 * A durable group's lag for stats (pending, unread, the age of the oldest of them), refreshed from Redis at most
 * every 250 ms, and the group's housekeeping on the same round trip's schedule: consumers of gone subscriptions
 * deleted, entries trimmed before they were read reported as lost.
 */
export class GroupLag {
  private value: DurableLag = NO_LAG;
  private refreshedAt = 0;
  private refreshing = false;
  private prunedAt = Date.now();

  constructor(private readonly host: LagHost) {}

  /** The last known lag; a refresh starts when it is older than 250 ms. */
  current(): DurableLag {
    if (Date.now() - this.refreshedAt >= LAG_REFRESH_MS) void this.refresh();
    return this.value;
  }

  async refresh(): Promise<void> {
    const host = this.host;
    const writer = host.writer();
    if (this.refreshing || writer === undefined) return;
    this.refreshing = true;
    this.refreshedAt = Date.now();
    try {
      const { lost, lag } = await groupLag(writer, host.address, host.lostKey);
      host.reportLost(lost);
      if (lag !== undefined) this.value = lag;
      if (Date.now() - this.prunedAt >= Math.min(PRUNE_EVERY_MS, host.idleConsumerMs)) {
        this.prunedAt = Date.now();
        const { key, durable } = host.address;
        await writer.call('EVAL', PRUNE_CONSUMERS, 1, key, durable, host.idleConsumerMs, ...host.consumers());
      }
    } catch (error) {
      const { key } = host.address;
      if (!host.closed()) host.log.warn(`redis-streams-info:${key}`, ERRORS.durableReadFailed(key, String(error)));
    } finally {
      this.refreshing = false;
    }
  }
}
