import type { ChannelName } from '../vocabulary/channel-names.js';
import type { RetentionPolicy } from './durable-backend.js';

/** What audit, alerts and security keep unless configured: their records matter after the fact. */
export const DEFAULT_RETENTION_POLICY: RetentionPolicy = Object.freeze({ maxMessages: 10_000, maxAgeMs: 86_400_000 });

export const RETAINED_BY_DEFAULT: ReadonlySet<ChannelName> = new Set<ChannelName>(['audit', 'alerts', 'security']);

/** The policy of a channel: the configured fields over the defaults, or none for a channel that keeps nothing. */
export function retentionPolicyOf(channel: ChannelName, configured: Partial<RetentionPolicy> | undefined): RetentionPolicy | undefined {
  if (configured === undefined && !RETAINED_BY_DEFAULT.has(channel)) return undefined;
  return { ...DEFAULT_RETENTION_POLICY, ...configured };
}
