import { ChannelSet } from '../channels/channel-set.js';
import { PubSubManager } from '../channels/pubsub-manager.js';
import { escapingLogger, type PubSubLogger } from '../delivery/pubsub-logger.js';
import { PubSubConfigService } from '../integration/pubsub-config.service.js';
import { PubSubIntegration } from '../integration/pubsub-integration.js';
import { SelfMonitor } from '../integration/self-monitor.js';
import { CATALOGUE_HOOKS } from '../messages/catalogue.js';
import { PubSubHealthIndicator } from '../observability/health-indicator.js';
import { RuntimeObservability } from '../observability/runtime-observability.js';
import { PubSubSecurity } from '../security/pubsub-security.js';
import type { PubSubSettings } from '../settings/pubsub-settings.js';
import type { TransportLayer } from '../transport/transport-contract.js';
import { createTransportLayer } from '../transport/transport-layer.js';
import { viewTransportStats } from '../transport/transport-stats.js';

/**
 * The composition root: one application's library, wired explicitly and without Nest (the Nest module's
 * PubSubRuntime only adds its logger, scheduler registry and per-application lookup). Each collaborator is
 * built once, in the order below, and handed to what needs it through its constructor; the one cycle, between
 * the transport and the channels, is closed by the transport's bind step. Nothing is started here except the
 * self-monitor: the transport starts with the application (transport.start()), the instruments with
 * startObservability().
 */
export class PubSubCore {
  readonly config: PubSubConfigService;
  readonly security: PubSubSecurity;
  readonly transport: TransportLayer;
  readonly channels: ChannelSet;
  readonly monitor: SelfMonitor;
  readonly integration: PubSubIntegration;
  readonly health: PubSubHealthIndicator;
  readonly manager: PubSubManager;
  /** Escaping: the lines the library logs directly (not through a ThrottledLog) carry message text too. */
  readonly logger: PubSubLogger;
  private observability: Promise<RuntimeObservability> | undefined;

  constructor(
    /** Resolved and validated (resolvePubSubSettings); the runtime setters of `config` change it later. */
    readonly settings: PubSubSettings,
    logger: PubSubLogger,
  ) {
    this.logger = escapingLogger(logger);
    this.config = new PubSubConfigService(settings);
    this.security = new PubSubSecurity({ secretKeyBase: settings.secretKeys, messageMaxAgeMs: settings.messageMaxAgeMs });
    // The durable backend is chosen here, once: Redis Streams beside the Redis bus, else the channels' memory groups.
    this.transport = createTransportLayer({ settings, logger: this.logger, security: this.security });
    this.channels = new ChannelSet({
      nodeName: settings.nodeName,
      logger: this.logger,
      defaults: settings.channels,
      // Catalogue payloads get this application's node name as their `node` default, then are validated.
      wiring: { ...CATALOGUE_HOOKS, transmit: this.transport.transmit, durable: this.transport.durable },
    });
    this.integration = new PubSubIntegration(this.channels, this.config, this.logger);
    this.monitor = new SelfMonitor(this.channels, settings.alerting, this.logger);
    this.transport.bind(this.channels, (alert) => this.monitor.raiseTransportAlert(alert));
    this.monitor.start();
    this.manager = new PubSubManager(
      this.channels,
      () => this.transport.nodes(),
      () => viewTransportStats(this.transport.stats(), this.transport.nodes().length),
    );
    this.health = new PubSubHealthIndicator({ channels: this.channels, transport: this.transport, windowMs: settings.alerting.windowMs });
  }

  /** Loads the optional instruments (metrics, tracing) once; the channels are handed out only after this. */
  startObservability(): Promise<RuntimeObservability> {
    this.observability ??= RuntimeObservability.start(this.settings, this.channels, this.transport);
    return this.observability;
  }

  async closeObservability(): Promise<void> {
    (await this.observability?.catch(() => undefined))?.close();
  }
}
