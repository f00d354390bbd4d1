import type { ChannelSet } from '../channels/channel-set.js';
import type { ChannelName } from '../channels/channel-names.js';
import type { ThrottledLog } from '../delivery/throttled-log.js';
import { SecurityMessages } from '../messages/security.messages.js';
import type { FrameRejection } from './wire-frame.js';

export const ACCESS_VIOLATIONS_TOPIC = 'access_violations';

export interface Rejection {
  error: FrameRejection;
  /** The node the frame claims to come from, when readable (unauthenticated). */
  claimedNode?: string;
  claims: Map<ChannelName, number>;
  bus: string;
}

/**
 * Reports wire messages that failed validation: counted in `failedPublications` of every channel they claim
 * (a refused publication), logged, and published as `access_violation` on the security channel, topic
 * `access_violations`, on this node only. Reports are limited to `maxPerWindow` per window so a flood of
 * forgeries cannot flood the security channel; the rest are summed into one report when the window ends.
 */
export class ViolationReporter {
  private windowStart = 0;
  private reported = 0;
  private suppressed = 0;
  private suppressedByError: Partial<Record<FrameRejection, number>> = {};
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channels: ChannelSet,
    private readonly log: ThrottledLog,
    private readonly maxPerWindow = 50,
    private readonly windowMs = 1_000,
  ) {}

  report(rejection: Rejection): void {
    let messages = 0;
    for (const [channel, count] of rejection.claims) {
      this.channels.channel(channel).counters.countFailure(rejection.error, count);
      messages += count;
    }
    const channels = [...rejection.claims.keys()];
    this.log.warn(
      `transport-rejected:${rejection.error}`,
      `Rejected a wire frame from ${rejection.bus} (${rejection.error}; claims node '${rejection.claimedNode ?? 'unknown'}', ` +
        `${messages} message(s) on ${channels.join(', ')}): not delivered, counted in failedPublications, reported on security:${ACCESS_VIOLATIONS_TOPIC}`,
    );
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.reported = 0;
    }
    if (this.reported < this.maxPerWindow) {
      this.reported++;
      this.publish(rejection.error, channels, {
        error: rejection.error,
        claimedNode: rejection.claimedNode,
        messages,
        bus: rejection.bus,
      });
      return;
    }
    this.suppressed++;
    this.suppressedByError[rejection.error] = (this.suppressedByError[rejection.error] ?? 0) + 1;
    this.summaryTimer ??= setTimeout(() => this.summarise(rejection.bus), this.windowMs).unref();
  }

  close(): void {
    if (this.summaryTimer !== undefined) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
  }

  private summarise(bus: string): void {
    this.summaryTimer = undefined;
    if (this.suppressed === 0) return;
    this.publish('flood', [], { summary: true, frames: this.suppressed, errors: this.suppressedByError, bus });
    this.suppressed = 0;
    this.suppressedByError = {};
  }

  private publish(error: string, channels: ChannelName[], metadata: Record<string, unknown>): void {
    const security = this.channels.channel('security');
    if (security.isClosed) return;
    const resource = channels.length === 0 ? 'pubsub:transport' : `pubsub:${channels.join(',')}`;
    const violation = SecurityMessages.accessViolation({
      violationType: 'invalid_signature',
      resource,
      action: 'receive',
      severity: error === 'replayed' || error === 'invalid_signature' || error === 'too_large' || error === 'flood' ? 'high' : 'medium',
      metadata,
    });
    const result = security.publish(ACCESS_VIOLATIONS_TOPIC, violation, { local: true });
    if (!result.ok)
      this.log.error('transport-violation-refused', `access_violation could not be published: ${result.reason} ${result.error ?? ''}`);
  }
}
