import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { ChannelSet } from '../channels/channel-set.js';
import type { PubSubManager } from '../channels/pubsub-manager.js';
import { PubSubCore } from '../core/pubsub-core.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { ERRORS } from '../error-messages.js';
import { Broadcasters } from '../integration/broadcasters.js';
import type { PubSubConfigService } from '../integration/pubsub-config.service.js';
import type { PubSubIntegration } from '../integration/pubsub-integration.js';
import type { SelfMonitor } from '../integration/self-monitor.js';
import type { PubSubHealthIndicator } from '../observability/health-indicator.js';
import type { RuntimeObservability } from '../observability/runtime-observability.js';
import type { PubSubSecurity } from '../security/pubsub-security.js';
import type { PubSubSettings } from '../settings/pubsub-settings.js';
import type { TransportLayer } from '../transport/transport-contract.js';
import { optionDifferences } from './option-differences.js';
import type { PubSubModuleOptions } from './pubsub-options.interface.js';
import { resolvePubSubSettings } from './pubsub-settings.js';

/**
 * The Nest glue around one application's PubSubCore (the Nest logger, the scheduler registry of the
 * broadcasters, the once-per-application steps): everything one application shares, however many modules
 * import PubSubModule (the seeds' PubSubManager rule), keyed by the application's module container, so two
 * applications in one process stay apart.
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

  /** The library itself, wired without Nest; everything below only adds the module's glue. */
  readonly core: PubSubCore;
  private broadcasters: Broadcasters | undefined;
  private readonly once = new Set<string>();

  constructor(settings: PubSubSettings, logger: PubSubLogger = new Logger('PubSub')) {
    this.core = new PubSubCore(settings, logger);
  }

  get settings(): PubSubSettings {
    return this.core.settings;
  }
  get logger(): PubSubLogger {
    return this.core.logger;
  }
  get channels(): ChannelSet {
    return this.core.channels;
  }
  get manager(): PubSubManager {
    return this.core.manager;
  }
  get config(): PubSubConfigService {
    return this.core.config;
  }
  get security(): PubSubSecurity {
    return this.core.security;
  }
  get integration(): PubSubIntegration {
    return this.core.integration;
  }
  get monitor(): SelfMonitor {
    return this.core.monitor;
  }
  get transport(): TransportLayer {
    return this.core.transport;
  }
  get health(): PubSubHealthIndicator {
    return this.core.health;
  }

  /** Loads the optional instruments (metrics, tracing) once; the module waits for this before handing out channels. */
  startObservability(): Promise<RuntimeObservability> {
    return this.core.startObservability();
  }

  closeObservability(): Promise<void> {
    return this.core.closeObservability();
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
