import type { ChannelSet } from '../channels/channel-set.js';
import type { ChannelName } from '../channels/channel-names.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { AlertMessages, type AlertCategory, type AlertSeverity } from '../messages/alert.messages.js';
import type { TransportAlert } from '../transport/transport-layer.js';
import { AlertRules, type AlertThresholds, type RuleBreach } from './alert-rules.js';

interface PendingAlert {
  severity: AlertSeverity;
  category: AlertCategory;
  title: string;
  metadata: Record<string, unknown>;
}

const CATEGORY_OF_RULE: Record<string, AlertCategory> = {
  high_volume: 'performance',
  transport_down: 'network',
  transport_up: 'network',
  node_failure: 'network',
};

/**
 * The seeds' Alerting section: watches every channel's counters and publishes a `system_alert` on the
 * alerts channel (topic `system_alerts:<severity>`) the moment a rule's threshold is crossed.
 */
export class SelfMonitor {
  private readonly rules: AlertRules;
  private readonly pending: PendingAlert[] = [];
  private flushing = false;

  constructor(
    private readonly channels: ChannelSet,
    thresholds: AlertThresholds,
    private readonly logger: PubSubLogger,
    now: () => number = Date.now,
  ) {
    this.rules = new AlertRules(thresholds, now);
  }

  start(): void {
    this.channels.onCount((channel, counter, amount) => {
      const breach = this.rules.observe(channel, counter, amount);
      if (breach !== undefined) this.raise(describeBreach(breach));
      return counter === 'published' ? this.rules.publicationsBeforeCheck(channel) : undefined;
    });
  }

  stop(): void {
    this.channels.onCount(undefined);
  }

  /** Transport and membership alerts; once per rule and window like the counted ones. */
  raiseTransportAlert(alert: TransportAlert, channel: ChannelName = 'system'): void {
    if (!this.rules.admit(alert.rule, channel, String(alert.details?.node ?? ''))) return;
    this.raise({
      severity: alert.severity,
      category: CATEGORY_OF_RULE[alert.rule] ?? 'system',
      title: alert.title,
      metadata: { rule: alert.rule, channel, count: 1, threshold: 1, ...alert.details },
    });
  }

  /**
   * Publishing an alert can itself trip a rule (on the alerts channel): such alerts are queued and sent after
   * the current one instead of recursing. Rules fire at most once per window, so the queue always empties.
   */
  private raise(alert: PendingAlert): void {
    this.pending.push(alert);
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) this.publish(next);
    } finally {
      this.flushing = false;
    }
  }

  private publish({ severity, category, title, metadata }: PendingAlert): void {
    this.logger.warn(`Alert (${severity}): ${title}`);
    const message = AlertMessages.systemAlert({ severity, category, title, description: title, source: 'pubsub', metadata });
    const result = this.channels.channel('alerts').publish(`system_alerts:${severity}`, message);
    if (!result.ok) this.logger.error(`Alert '${title}' could not be published: ${result.reason} ${result.error ?? ''}`);
  }
}

function describeBreach({ rule, channel, count, threshold, severity }: RuleBreach): PendingAlert {
  const what: Record<string, string> = {
    failed_publications: 'failed publications',
    handler_errors: 'handler errors',
    dropped: 'messages dropped by full mailboxes',
    high_volume: 'messages in one second',
  };
  return {
    severity,
    category: CATEGORY_OF_RULE[rule] ?? 'system',
    title: `Channel '${channel}': ${count} ${what[rule] ?? rule} (threshold ${threshold})`,
    metadata: { rule, channel, count, threshold },
  };
}
