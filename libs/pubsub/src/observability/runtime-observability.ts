import type { ChannelSet } from '../channels/channel-set.js';
import type { TransportLayer } from '../transport/transport-contract.js';
import { instrumentHandler } from './instrument-handler.js';
import type { MetricsSettings } from '../settings/metrics-settings.js';
import { PubSubMetrics } from './metrics.js';
import { MessageTracing } from './tracing.js';

export interface ObservabilitySettings {
  metrics: MetricsSettings | undefined;
  tracing?: boolean;
}

/**
 * The optional instruments of one application, loaded before its channels are handed out (so every
 * subscription is instrumented): metrics when configured, tracing when OpenTelemetry is there (see
 * MessageTracing.start). With neither, no hook is installed: publish and handlers run as without this layer.
 */
export class RuntimeObservability {
  private constructor(
    private readonly channels: ChannelSet,
    readonly metrics: PubSubMetrics | undefined,
    readonly tracing: MessageTracing | undefined,
  ) {}

  static async start(settings: ObservabilitySettings, channels: ChannelSet, transport: TransportLayer): Promise<RuntimeObservability> {
    const metrics = settings.metrics === undefined ? undefined : await PubSubMetrics.start({ channels, transport }, settings.metrics);
    let tracing: MessageTracing | undefined;
    try {
      tracing = await MessageTracing.start(settings.tracing, channels.nodeName);
    } catch (error) {
      metrics?.close();
      throw error;
    }
    // With neither instrument nothing is installed: the channels keep their undefined instrument fields.
    if (metrics !== undefined || tracing !== undefined) {
      channels.instrument({
        propagate: tracing === undefined ? undefined : (headers) => tracing.propagate(headers),
        wrapHandler: (handler, target) => instrumentHandler(handler, target, { durations: metrics?.durationsOf(target.channel), tracing }),
      });
    }
    return new RuntimeObservability(channels, metrics, tracing);
  }

  close(): void {
    this.channels.uninstrument();
    this.metrics?.close();
  }
}
