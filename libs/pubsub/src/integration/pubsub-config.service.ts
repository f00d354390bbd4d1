import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import { MAX_INTERVAL_MS, type PubSubSettings } from '../settings/pubsub-settings.js';

export type ConfigChange = 'enabled' | 'healthBroadcastInterval' | 'metricsBroadcastInterval';
type ConfigListener = (change: ConfigChange) => void;

/**
 * The integration layer's runtime switches (the seeds' enable!/disable!/enabled? and intervals). Disabling
 * pauses the PubSubIntegration calls and the broadcasters; the channels keep working.
 */
export class PubSubConfigService {
  private enabled: boolean;
  private healthInterval: number;
  private metricsInterval: number;
  private readonly listeners = new Set<ConfigListener>();

  constructor(settings: Pick<PubSubSettings, 'integration' | 'healthBroadcastInterval' | 'metricsBroadcastInterval'>) {
    this.enabled = settings.integration;
    this.healthInterval = settings.healthBroadcastInterval;
    this.metricsInterval = settings.metricsBroadcastInterval;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  enable(): void {
    this.setEnabled(true);
  }

  disable(): void {
    this.setEnabled(false);
  }

  get healthBroadcastInterval(): number {
    return this.healthInterval;
  }

  get metricsBroadcastInterval(): number {
    return this.metricsInterval;
  }

  setHealthBroadcastInterval(ms: number): void {
    checkInterval('setHealthBroadcastInterval', ms);
    if (ms === this.healthInterval) return;
    this.healthInterval = ms;
    this.emit('healthBroadcastInterval');
  }

  setMetricsBroadcastInterval(ms: number): void {
    checkInterval('setMetricsBroadcastInterval', ms);
    if (ms === this.metricsInterval) return;
    this.metricsInterval = ms;
    this.emit('metricsBroadcastInterval');
  }

  /** The broadcasters re-arm through this; returns the unsubscribe function. */
  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    this.emit('enabled');
  }

  private emit(change: ConfigChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function checkInterval(setter: string, ms: unknown): void {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > MAX_INTERVAL_MS) {
    throw new PubSubError('invalid_option', ERRORS.invalidOption(setter, ERRORS.invalidIntervalSetting(MAX_INTERVAL_MS, ms)));
  }
}
