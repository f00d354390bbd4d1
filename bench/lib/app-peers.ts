/**
 * The peers as an application meets them: a Nest application context with `PubSubModule.forRoot()` (integration
 * layer and self-monitoring on, decorated handlers) and one with `EventEmitterModule.forRoot()` and `@OnEvent`
 * handlers. Both subscribe through their decorators, one decorator per pattern.
 */
import 'reflect-metadata';
import { Injectable, Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import {
  CHANNEL_NAMES,
  EventsChannel,
  OnEvents,
  PubSubManager,
  PubSubModule,
  type Channel,
  type PubSubModuleOptions,
} from '../../libs/pubsub/src/index.js';
import { check } from './measure.js';
import { channelPeer, Counter, PAYLOAD, toEe2Pattern, type PeerInstance } from './peers.js';

type MethodDecoratorFactory = (pattern: string) => MethodDecorator;

/** A provider whose `handle` method carries one decorator per pattern, each calling the shared counter. */
function decoratedSubscriber(patterns: readonly string[], decorator: MethodDecoratorFactory, counter: Counter): new () => object {
  class BenchSubscriber {
    handle(): void {
      counter.handler();
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(BenchSubscriber.prototype, 'handle')!;
  for (const pattern of patterns) decorator(pattern)(BenchSubscriber.prototype, 'handle', descriptor);
  Injectable()(BenchSubscriber);
  return BenchSubscriber;
}

async function applicationWith(imported: DynamicModule, subscriber: new () => object): Promise<INestApplicationContext> {
  @Module({ imports: [imported], providers: [subscriber] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  return app;
}

/**
 * A running application has carried messages on several of its channels before anyone measures it (the
 * integration layer alone publishes on system, health, metrics and alerts): one publication on each of the ten,
 * to a topic nobody subscribes, so that the measured code has seen every channel. Without it the bench measured
 * code that had seen only `events` and `system`, and missed what that cost the publish path (see Channel).
 */
function useEveryChannel(manager: PubSubManager): void {
  for (const name of CHANNEL_NAMES) {
    const result = manager.channel(name).publish('bench:warm-up', 'bench_warm_up', { name });
    check(result.ok, `ours: the warm-up publication on '${name}' was refused: ${result.ok ? '' : result.error}`);
  }
}

/** @gater/pubsub through `PubSubModule.forRoot(options)`: catalogue hook, self-monitoring and broadcasters on. */
export async function appPeer(
  patterns: readonly string[],
  options: PubSubModuleOptions = {},
): Promise<PeerInstance & { channel: Channel }> {
  const counter = new Counter();
  const app = await applicationWith(
    PubSubModule.forRoot(options),
    decoratedSubscriber(patterns, (p) => OnEvents(p), counter),
  );
  useEveryChannel(app.get(PubSubManager));
  const channel = app.get(EventsChannel);
  check(
    channel.stats().subscriptions === patterns.length,
    `ours: ${channel.stats().subscriptions} subscriptions bound of ${patterns.length}`,
  );
  return Object.assign(
    channelPeer(channel, counter, () => app.close()),
    { channel },
  );
}

/** @nestjs/event-emitter as its documentation sets it up for `a:b` topics with wildcards. */
export async function nestPeer(patterns: readonly string[]): Promise<PeerInstance> {
  const counter = new Counter();
  const module = EventEmitterModule.forRoot({ wildcard: true, delimiter: ':' });
  const app = await applicationWith(
    module,
    decoratedSubscriber(patterns, (p) => OnEvent(toEe2Pattern(p)), counter),
  );
  const emitter = app.get(EventEmitter2);
  emitter.setMaxListeners(0);
  return {
    name: 'nest',
    publish: (topic) => {
      emitter.emit(topic, PAYLOAD);
    },
    expect: (n) => counter.expect(n),
    settle: () => counter.settle('nest'),
    get total() {
      return counter.total;
    },
    verify() {},
    dispose: () => app.close(),
  };
}
