import type { ChannelSet } from '../channels/channel-set.js';
import type { ChannelName } from '../channels/channel-names.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { describeError } from '../describe-error.js';
import { AlertMessages, type AlertCategory, type AlertSeverity } from '../messages/alert.messages.js';
import type { TransportAlert } from '../transport/transport-contract.js';
import { DEFAULT_DURABLE_LAG_MS } from '../settings/pubsub-settings.js';
import { AlertRules, type AlertThresholds, type RuleBreach } from './alert-rules.js';

interface PendingAlert {
  severity: AlertSeverity;
  category: AlertCategory;
  title: string;
  metadata: Record<string, unknown>;
}

const CATEGORY_OF_RULE: Record<string, AlertCategory> = {
  high_volume: 'performance',
  durable_lag: 'performance',
  transport_down: 'network',
  transport_up: 'network',
  node_failure: 'network',
};

/**
 * How often durable lag is looked at: a quarter of the threshold, so an alert comes at most that late, within
 * bounds that keep a tiny threshold from spinning and a huge one from never looking.
 */
export function durableLagCheckPeriod(durableLagMs: number): number {
  return Math.min(Math.max(Math.floor(durableLagMs / 4), 100), 15_000);
}

/**
 * The seeds' Alerting section: watches every channel's counters and publishes a `system_alert` on the
 * alerts channel (topic `system_alerts:<severity>`) the moment a rule's threshold is crossed.
 */
export class SelfMonitor {
  private readonly rules: AlertRules;
  private readonly pending: PendingAlert[] = [];
  private flushing = false;
  /** Durable lag is a state, not a count: it is polled (off the publish path) rather than observed. */
  private lagTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly channels: ChannelSet,
    private readonly thresholds: AlertThresholds,
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
    clearInterval(this.lagTimer);
    this.lagTimer = setInterval(
      () => this.checkDurableLag(),
      durableLagCheckPeriod(this.thresholds.durableLagMs ?? DEFAULT_DURABLE_LAG_MS),
    );
    this.lagTimer.unref?.();
  }

  stop(): void {
    this.channels.onCount(undefined);
    clearInterval(this.lagTimer);
    this.lagTimer = undefined;
  }

  /** durable_lag: each durable name subscribed on this node whose oldest pending or unread message is too old. */
  checkDurableLag(): void {
    for (const channel of this.channels.channels()) {
      try {
        for (const { durable, ...lag } of channel.durableLag()) {
          const breach = this.rules.observeDurableLag(channel.name, durable, lag);
          if (breach !== undefined) this.raise(describeBreach(breach));
        }
      } catch (error) {
        this.logger.error(`Durable lag of channel '${channel.name}' could not be read: ${describeError(error)}`);
      }
    }
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

function describeBreach({ rule, channel, count, threshold, severity, details }: RuleBreach): PendingAlert {
  if (rule === 'durable_lag') {
    return {
      severity,
      category: CATEGORY_OF_RULE[rule],
      title: `Channel '${channel}': durable subscription '${String(details?.durable)}' has a message waiting ${count} ms (threshold ${threshold} ms; backlog ${String(details?.backlog)}, pending ${String(details?.pending)})`,
      metadata: { rule, channel, count, threshold, ...details },
    };
  }
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
