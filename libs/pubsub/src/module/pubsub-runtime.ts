import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { ChannelSet } from '../channels/channel-set.js';
import { PubSubManager } from '../channels/pubsub-manager.js';
import { Broadcasters } from '../integration/broadcasters.js';
import { PubSubConfigService } from '../integration/pubsub-config.service.js';
import { PubSubIntegration } from '../integration/pubsub-integration.js';
import { SelfMonitor } from '../integration/self-monitor.js';
import { CATALOGUE_HOOKS } from '../messages/catalogue.js';
import { PubSubHealthIndicator } from '../observability/health-indicator.js';
import { RuntimeObservability } from '../observability/runtime-observability.js';
import { escapingLogger, type PubSubLogger } from '../delivery/pubsub-logger.js';
import { ERRORS } from '../error-messages.js';
import { optionDifferences } from './option-differences.js';
import { PubSubSecurity } from '../security/pubsub-security.js';
import { createTransportLayer, type TransportLayer } from '../transport/transport-layer.js';
import { viewTransportStats } from '../transport/transport-stats.js';
import type { PubSubModuleOptions } from './pubsub-options.interface.js';
import type { PubSubSettings } from '../settings/pubsub-settings.js';
import { resolvePubSubSettings } from './pubsub-settings.js';

/**
 * Everything one application shares, however many modules import PubSubModule (the seeds' PubSubManager
 * rule): keyed by the application's module container, so two applications in one process stay apart.
 */
export class PubSubRuntime {
  private static readonly perApplication = new WeakMap<object, PubSubRuntime>();

  static for(applicationKey: object, options: PubSubModuleOptions, logger?: PubSubLogger): PubSubRuntime {
    let runtime = PubSubRuntime.perApplication.get(applicationKey);
    if (runtime === undefined) {
      runtime = new PubSubRuntime(resolvePubSubSettings(options), logger);
      runtime.options = options;
      PubSubRuntime.perApplication.set(applicationKey, runtime);
    } else {
      runtime.warnIfDifferent(options);
    }
    return runtime;
  }

  /** The options the application's channels were built from: the first forRoot(...) resolved. */
  private options: PubSubModuleOptions = {};
  private readonly warned = new Set<string>();

  /** A later forRoot(...) cannot change what is already running: say so once, naming the options it would change. */
  private warnIfDifferent(options: PubSubModuleOptions): void {
    const differences = optionDifferences(this.options, options).filter((path) => path !== '');
    const key = differences.join(',');
    if (differences.length === 0 || this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(ERRORS.secondForRootDiffers(differences));
  }

  readonly channels: ChannelSet;
  readonly manager: PubSubManager;
  readonly config: PubSubConfigService;
  readonly security: PubSubSecurity;
  readonly integration: PubSubIntegration;
  readonly monitor: SelfMonitor;
  readonly transport: TransportLayer;
  readonly health: PubSubHealthIndicator;
  private broadcasters: Broadcasters | undefined;
  private observability: Promise<RuntimeObservability> | undefined;
  private readonly once = new Set<string>();

  /** Escaping: the lines the library logs directly (not through a ThrottledLog) carry message text too. */
  readonly logger: PubSubLogger;

  constructor(
    readonly settings: PubSubSettings,
    logger: PubSubLogger = new Logger('PubSub'),
  ) {
    this.logger = escapingLogger(logger);
    this.channels = new ChannelSet({ nodeName: settings.nodeName, logger: this.logger, defaults: settings.channels });
    // Catalogue payloads get this application's node name as their `node` default, then are validated.
    Object.assign(this.channels.hooks, CATALOGUE_HOOKS);
    this.config = new PubSubConfigService(settings);
    this.security = new PubSubSecurity({ secretKeyBase: settings.secretKeys, messageMaxAgeMs: settings.messageMaxAgeMs });
    this.integration = new PubSubIntegration(this.channels, this.config, this.logger);
    this.monitor = new SelfMonitor(this.channels, settings.alerting, this.logger);
    this.monitor.start();
    this.transport = createTransportLayer({
      settings,
      channels: this.channels,
      logger: this.logger,
      security: this.security,
      alert: (alert) => this.monitor.raiseTransportAlert(alert),
    });
    this.manager = new PubSubManager(
      this.channels,
      () => this.transport.nodes(),
      () => viewTransportStats(this.transport.stats(), this.transport.nodes().length),
    );
    this.health = new PubSubHealthIndicator({ channels: this.channels, transport: this.transport, windowMs: settings.alerting.windowMs });
  }

  /** Loads the optional instruments (metrics, tracing) once; the module waits for this before handing out channels. */
  startObservability(): Promise<RuntimeObservability> {
    this.observability ??= RuntimeObservability.start(this.settings, this.channels, this.transport);
    return this.observability;
  }

  async closeObservability(): Promise<void> {
    (await this.observability?.catch(() => undefined))?.close();
  }

  /** Runs `step` the first time it is asked for in this application; every module instance asks. */
  firstTime(step: string): boolean {
    if (this.once.has(step)) return false;
    this.once.add(step);
    return true;
  }

  startBroadcasters(registry: SchedulerRegistry): void {
    this.broadcasters = new Broadcasters({
      channels: this.channels,
      config: this.config,
      registry,
      logger: this.logger,
      nodes: () => this.transport.nodes(),
    });
    this.broadcasters.start();
  }

  stopBroadcasters(): void {
    this.broadcasters?.stop();
  }
}
