import { Logger } from '@nestjs/common';
import { ChannelSet } from '../channels/channel-set.js';
import { PubSubManager } from '../channels/pubsub-manager.js';
import { setLocalNodeName } from '../messages/local-node.js';
import { createTransportLayer, type TransportAlert, type TransportLayer } from '../transport/transport-layer.js';
import type { PubSubModuleOptions } from './pubsub-options.interface.js';
import { resolvePubSubSettings, type PubSubSettings } from './pubsub-settings.js';

/**
 * Everything one application shares, however many modules import PubSubModule (the seeds' PubSubManager
 * rule): keyed by the application's module container, so two applications in one process stay apart.
 */
export class PubSubRuntime {
  private static readonly perApplication = new WeakMap<object, PubSubRuntime>();

  static for(applicationKey: object, options: PubSubModuleOptions): PubSubRuntime {
    let runtime = PubSubRuntime.perApplication.get(applicationKey);
    if (runtime === undefined) {
      runtime = new PubSubRuntime(resolvePubSubSettings(options));
      PubSubRuntime.perApplication.set(applicationKey, runtime);
    }
    return runtime;
  }

  readonly logger = new Logger('PubSub');
  readonly channels: ChannelSet;
  readonly manager: PubSubManager;
  readonly transport: TransportLayer;
  private readonly once = new Set<string>();

  constructor(readonly settings: PubSubSettings) {
    setLocalNodeName(settings.nodeName);
    this.channels = new ChannelSet({ nodeName: settings.nodeName, logger: this.logger, defaults: settings.channels });
    this.transport = createTransportLayer({
      settings,
      channels: this.channels,
      logger: this.logger,
      alert: (alert) => this.raiseTransportAlert(alert),
    });
    this.manager = new PubSubManager(this.channels, () => this.transport.nodes());
  }

  /** Runs `step` the first time it is asked for in this application; every module instance asks. */
  firstTime(step: string): boolean {
    if (this.once.has(step)) return false;
    this.once.add(step);
    return true;
  }

  // Replaced by the self-monitoring layer's alert publisher once the integration layer is wired.
  private raiseTransportAlert(alert: TransportAlert): void {
    this.logger.warn(`${alert.rule}: ${alert.title}`);
  }
}
