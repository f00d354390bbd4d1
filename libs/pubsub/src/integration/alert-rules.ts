import type { ChannelName } from '../channels/channel-names.js';
import { CHANNEL_NAMES } from '../channels/channel-names.js';
import type { CounterName } from '../delivery/channel-counters.js';
import type { DurableLag } from '../durable/durable-backend.js';
import { DEFAULT_DURABLE_LAG_MS } from '../settings/pubsub-settings.js';

export type AlertRule =
  'failed_publications' | 'handler_errors' | 'dropped' | 'high_volume' | 'durable_lag' | 'transport_down' | 'transport_up' | 'node_failure';

export interface AlertThresholds {
  windowMs: number;
  failedPublications: number;
  handlerErrors: number;
  dropped: number;
  messagesPerSecond: number;
  /** Oldest unacknowledged or unread message of a durable name, in ms; default DEFAULT_DURABLE_LAG_MS. */
  durableLagMs?: number;
}

export interface RuleBreach {
  rule: AlertRule;
  channel: ChannelName;
  count: number;
  threshold: number;
  severity: 'warning' | 'critical';
  /** What else the alert's metadata says (durable_lag: the name, its backlog and pending). */
  details?: Record<string, unknown>;
}

interface RuleWindow {
  startedAt: number;
  count: number;
  alerted: boolean;
}

interface VolumeWindow {
  startedAt: number;
  count: number;
  uncheckedSinceClock: number;
  /** The alerting window of this channel's high_volume rule, held here rather than under a built string key. */
  alerts: RuleWindow | undefined;
}

// Publications between two clock reads when the count is below the threshold: keeps Date.now() off the
// publish path while the rate stays accurate to a few dozen messages.
const CLOCK_READ_EVERY = 64;

const COUNTER_RULES: Partial<
  Record<CounterName, { rule: AlertRule; threshold: 'failedPublications' | 'handlerErrors' | 'dropped'; severity: 'warning' | 'critical' }>
> = {
  failedPublications: { rule: 'failed_publications', threshold: 'failedPublications', severity: 'warning' },
  handlerErrors: { rule: 'handler_errors', threshold: 'handlerErrors', severity: 'warning' },
  // A drop is data the user will never see again.
  dropped: { rule: 'dropped', threshold: 'dropped', severity: 'critical' },
};

const HIGH_VOLUME_WINDOW_MS = 1_000;

// Event rules keep a window per subject (a node's name, which forged traffic can invent): past this many,
// new subjects share one window per rule and channel, so the alerts still come but memory stays bounded.
const MAX_SUBJECT_WINDOWS = 1_000;

/**
 * Counts events per rule and channel in fixed windows and reports a breach the moment a threshold is
 * crossed, at most once per rule, channel and window. Pure: the caller publishes the alert.
 */
export class AlertRules {
  private readonly windows = new Map<string, RuleWindow>();
  private readonly volume = new Map<ChannelName, VolumeWindow>();
  private prunedAt = 0;

  constructor(
    private readonly thresholds: AlertThresholds,
    private readonly now: () => number = Date.now,
  ) {
    for (const channel of CHANNEL_NAMES)
      this.volume.set(channel, { startedAt: 0, count: 0, uncheckedSinceClock: CLOCK_READ_EVERY, alerts: undefined });
  }

  /** Feeds one counter event; returns the breach to alert on, if this event crossed a threshold. */
  observe(channel: ChannelName, counter: CounterName, amount: number): RuleBreach | undefined {
    if (counter === 'published') return this.observeVolume(channel, amount);
    const spec = COUNTER_RULES[counter];
    if (spec === undefined) return undefined;
    const threshold = this.thresholds[spec.threshold];
    const key = `${spec.rule}:${channel}`;
    const window = this.currentWindow(this.windows.get(key), this.thresholds.windowMs);
    this.windows.set(key, window);
    return this.count(window, amount, threshold, () => ({
      rule: spec.rule,
      channel,
      count: window.count,
      threshold,
      severity: spec.severity,
    }));
  }

  // High volume is a rate, so it is counted per second; one alert per alerting window still applies.
  private observeVolume(channel: ChannelName, amount: number): RuleBreach | undefined {
    const perSecond = this.volume.get(channel)!;
    perSecond.count += amount;
    perSecond.uncheckedSinceClock += amount;
    const threshold = this.thresholds.messagesPerSecond;
    if (perSecond.count < threshold && perSecond.uncheckedSinceClock < CLOCK_READ_EVERY) return undefined;
    perSecond.uncheckedSinceClock = 0;
    const now = this.now();
    if (now - perSecond.startedAt >= HIGH_VOLUME_WINDOW_MS) {
      perSecond.startedAt = now;
      perSecond.count = amount;
    }
    if (perSecond.count < threshold) return undefined;
    const window = (perSecond.alerts = this.currentWindow(perSecond.alerts, this.thresholds.windowMs));
    if (window.alerted) return undefined;
    window.alerted = true;
    return { rule: 'high_volume', channel, count: perSecond.count, threshold: this.thresholds.messagesPerSecond, severity: 'warning' };
  }

  /**
   * How many more publications on `channel` can go unobserved: none of them could reach the threshold, and
   * the clock is still read every CLOCK_READ_EVERY publications so that a new second or window is noticed.
   */
  publicationsBeforeCheck(channel: ChannelName): number {
    const perSecond = this.volume.get(channel)!;
    const belowThreshold = this.thresholds.messagesPerSecond - perSecond.count;
    if (belowThreshold <= 0) return CLOCK_READ_EVERY;
    return Math.max(1, Math.min(belowThreshold, CLOCK_READ_EVERY - perSecond.uncheckedSinceClock));
  }

  private currentWindow(window: RuleWindow | undefined, windowMs: number): RuleWindow {
    const now = this.now();
    if (window === undefined || now - window.startedAt >= windowMs) return { startedAt: now, count: 0, alerted: false };
    return window;
  }

  private count(window: RuleWindow, amount: number, threshold: number, breach: () => RuleBreach): RuleBreach | undefined {
    window.count += amount;
    if (window.alerted || window.count < threshold) return undefined;
    window.alerted = true;
    return breach();
  }

  /**
   * A durable name's lag, as its backend reports it: a breach while its oldest pending or unread message is
   * older than durableLagMs, once per window and name (so a lasting lag is reported again each window).
   */
  observeDurableLag(channel: ChannelName, durable: string, lag: DurableLag): RuleBreach | undefined {
    const threshold = this.thresholds.durableLagMs ?? DEFAULT_DURABLE_LAG_MS;
    if (!(lag.oldestMs >= threshold) || !this.admit('durable_lag', channel, durable)) return undefined;
    return {
      rule: 'durable_lag',
      channel,
      count: lag.oldestMs,
      threshold,
      severity: 'warning',
      details: { durable, backlog: lag.backlog, pending: lag.pending },
    };
  }

  /**
   * For rules raised by events rather than counts (transport down, node failure): once per window and
   * subject, so a second node failing within the window is still reported.
   */
  admit(rule: AlertRule, channel: ChannelName, subject = ''): boolean {
    this.pruneExpired();
    let key = `${rule}:${channel}:${subject}`;
    if (!this.windows.has(key) && this.windows.size >= MAX_SUBJECT_WINDOWS) key = `${rule}:${channel}:`;
    const window = this.currentWindow(this.windows.get(key), this.thresholds.windowMs);
    this.windows.set(key, window);
    if (window.alerted) return false;
    window.alerted = true;
    return true;
  }

  /** An expired window holds nothing a new one would not (currentWindow starts afresh): at most once a window, drop them. */
  private pruneExpired(): void {
    const now = this.now();
    const { windowMs } = this.thresholds;
    if (now - this.prunedAt < windowMs) return;
    this.prunedAt = now;
    for (const [key, window] of this.windows) if (now - window.startedAt >= windowMs) this.windows.delete(key);
  }

  /** Windows held (bounded: expired ones are pruned, subjects capped). */
  get windowCount(): number {
    return this.windows.size;
  }
}
