import { Module, type DynamicModule, type InjectionToken, type Provider } from '@nestjs/common';
import { DiscoveryModule, ModulesContainer } from '@nestjs/core';
import { CHANNEL_CLASSES } from '../channels/channel-classes.js';
import { CHANNEL_NAMES } from '../channels/channel-names.js';
import { PubSubManager } from '../channels/pubsub-manager.js';
import { HandlerExplorer } from '../discovery/handler-explorer.js';
import { PubSubConfigService } from '../integration/pubsub-config.service.js';
import { PubSubIntegration } from '../integration/pubsub-integration.js';
import { PubSubHealthIndicator } from '../observability/health-indicator.js';
import { PubSubSecurity } from '../security/pubsub-security.js';
import { PubSubLifecycle } from './pubsub-lifecycle.js';
import {
  ConfigurableModuleClass,
  PUBSUB_LOGGER,
  PUBSUB_MODULE_OPTIONS,
  PUBSUB_RUNTIME,
  type ASYNC_OPTIONS_TYPE,
  type OPTIONS_TYPE,
} from './pubsub-module-definition.js';
import { PubSubRuntime } from './pubsub-runtime.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { createQuietLogger } from '../testing/quiet-logger.js';
import type { PubSubModuleOptions, PubSubTestOptions } from './pubsub-options.interface.js';

const fromRuntime = (provide: InjectionToken, pick: (runtime: PubSubRuntime) => unknown): Provider => ({
  provide,
  useFactory: pick,
  inject: [PUBSUB_RUNTIME],
});

const channelProviders = CHANNEL_NAMES.map((name) => fromRuntime(CHANNEL_CLASSES[name], (runtime) => runtime.core.channels.channel(name)));

const publicProviders: Provider[] = [
  fromRuntime(PubSubManager, (runtime) => runtime.core.manager),
  fromRuntime(PubSubConfigService, (runtime) => runtime.core.config),
  fromRuntime(PubSubIntegration, (runtime) => runtime.core.integration),
  fromRuntime(PubSubSecurity, (runtime) => runtime.core.security),
  // Terminus itself is loaded on the first check, so applications without it can still import PubSubModule.
  fromRuntime(PubSubHealthIndicator, (runtime) => runtime.core.health),
  ...channelProviders,
];

@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: PUBSUB_RUNTIME,
      useFactory: async (container: ModulesContainer, options: PubSubModuleOptions, logger?: PubSubLogger) => {
        const runtime = PubSubRuntime.for(container, options, logger);
        await runtime.core.startObservability();
        return runtime;
      },
      inject: [ModulesContainer, PUBSUB_MODULE_OPTIONS, { token: PUBSUB_LOGGER, optional: true }],
    },
    ...publicProviders,
    HandlerExplorer,
    PubSubLifecycle,
  ],
  exports: [...publicProviders],
})
export class PubSubModule extends ConfigurableModuleClass {
  static override forRoot(options: typeof OPTIONS_TYPE = {}) {
    return super.forRoot(options);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE) {
    return super.forRootAsync(options);
  }

  /**
   * For tests: the memory transport and no integration layer (no broadcasters, no lifecycle announcements),
   * whatever the environment says, and a quiet logger that only reports errors.
   */
  static forTest(options: PubSubTestOptions = {}): DynamicModule {
    const module = super.forRoot({ ...options, integration: false, transport: { type: 'memory' } });
    return { ...module, providers: [...(module.providers ?? []), { provide: PUBSUB_LOGGER, useFactory: createQuietLogger }] };
  }
}
