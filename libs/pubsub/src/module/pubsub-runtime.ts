import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { PubSubCore } from '../core/pubsub-core.js';
import type { PubSubSettings } from '../settings/pubsub-settings.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { ERRORS } from '../error-messages.js';
import { Broadcasters } from '../integration/broadcasters.js';
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
    this.core.logger.warn(ERRORS.secondForRootDiffers(differences));
  }

  /** The library itself, wired without Nest; everything below only adds the module's glue. */
  readonly core: PubSubCore;
  private broadcasters: Broadcasters | undefined;
  private readonly once = new Set<string>();

  constructor(settings: PubSubSettings, logger: PubSubLogger = new Logger('PubSub')) {
    this.core = new PubSubCore(settings, logger);
  }

  /** Runs `step` the first time it is asked for in this application; every module instance asks. */
  firstTime(step: string): boolean {
    if (this.once.has(step)) return false;
    this.once.add(step);
    return true;
  }

  startBroadcasters(registry: SchedulerRegistry): void {
    const { channels, config, logger, transport } = this.core;
    this.broadcasters = new Broadcasters({ channels, config, registry, logger, nodes: () => transport.nodes() });
    this.broadcasters.start();
  }

  stopBroadcasters(): void {
    this.broadcasters?.stop();
  }
}
