import 'reflect-metadata';
import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { PubSubModule, type PubSubModuleOptions, type PubSubMessage } from '@gater/pubsub';

export interface AppSpec {
  options?: PubSubModuleOptions;
  providers?: Provider[];
  controllers?: Type[];
  imports?: (Type | DynamicModule)[];
}

/** A testing application with PubSubModule and the given providers, initialised (handlers bound). */
export async function startApp(spec: AppSpec = {}): Promise<TestingModule> {
  @Module({ providers: spec.providers ?? [], controllers: spec.controllers ?? [] })
  class FeatureModule {}
  const app = await Test.createTestingModule({
    imports: [PubSubModule.forRoot({ integration: false, ...spec.options }), FeatureModule, ...(spec.imports ?? [])],
  }).compile();
  await app.init();
  return app;
}

/** Collects delivered messages; `until(n)` waits (bounded) until n have arrived. */
export class Inbox {
  readonly messages: PubSubMessage[] = [];
  readonly handler = (message: PubSubMessage): void => {
    this.messages.push(message);
  };

  async until(count: number, timeoutMs = 2_000): Promise<PubSubMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${this.messages.length}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return this.messages;
  }
}

export const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
