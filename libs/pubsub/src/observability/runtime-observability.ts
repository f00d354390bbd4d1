import type { ChannelSet } from '../channels/channel-set.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import { instrumentHandler, type HandlerInstrument } from './instrument-handler.js';
import { PubSubMetrics, type MetricsSettings } from './metrics.js';

export interface ObservabilitySettings {
  metrics: MetricsSettings | undefined;
  tracing?: boolean;
}

/**
 * The optional instruments of one application, loaded before its channels are handed out (so every
 * subscription is instrumented): metrics when configured. With none, no hook is installed and handlers run
 * unwrapped.
 */
export class RuntimeObservability {
  private constructor(
    private readonly channels: ChannelSet,
    readonly metrics: PubSubMetrics | undefined,
  ) {}

  static async start(settings: ObservabilitySettings, channels: ChannelSet, transport: TransportLayer): Promise<RuntimeObservability> {
    const metrics = settings.metrics === undefined ? undefined : await PubSubMetrics.start({ channels, transport }, settings.metrics);
    const instruments: HandlerInstrument[] = [];
    if (metrics !== undefined) instruments.push(metrics);
    if (instruments.length > 0) channels.hooks.wrapHandler = (handler, target) => instrumentHandler(handler, target, instruments);
    return new RuntimeObservability(channels, metrics);
  }

  close(): void {
    this.channels.hooks.wrapHandler = undefined;
    this.metrics?.close();
  }
}
