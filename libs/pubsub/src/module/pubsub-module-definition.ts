import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PubSubModuleOptions } from './pubsub-options.interface.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: PUBSUB_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE,
  OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PubSubModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Resolves to the application's PubSubRuntime. */
export const PUBSUB_RUNTIME = Symbol('PUBSUB_RUNTIME');

/** Optional: the logger the application's runtime uses (forTest() supplies a quiet one); Nest's Logger otherwise. */
export const PUBSUB_LOGGER = Symbol('PUBSUB_LOGGER');
