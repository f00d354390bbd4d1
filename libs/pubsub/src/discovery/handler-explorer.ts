import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type { ChannelSet } from '../channels/channel-set.js';
import { isChannelName } from '../channels/channel-names.js';
import type { MessageHandler, Subscription } from '../channels/channel.types.js';
import { getChannelHandlers, type ChannelHandlerMetadata } from '../decorators/on-channel.decorator.js';
import { describeError } from '../describe-error.js';
import { ERRORS } from '../error-messages.js';
import { findUnboundHandlers } from './unbound-handlers.js';
import { PubSubError } from '../pubsub-error.js';
import { describeInvalidPattern } from '../routing/topic-grammar.js';

interface DiscoveredHandler {
  className: string;
  method: string;
  instance: object;
  bindings: ChannelHandlerMetadata[];
  wrapper: InstanceWrapper;
}

/** Finds decorated methods on providers and controllers and subscribes them, once per application. */
@Injectable()
export class HandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /** Validates every decorated method first, so a bad one fails start-up before anything is bound. */
  bind(channels: ChannelSet): Subscription[] {
    const handlers = this.discover();
    for (const handler of handlers) this.check(handler);
    const subscriptions: Subscription[] = [];
    for (const { instance, method, bindings, className } of handlers) {
      const fn = (instance as Record<string, MessageHandler>)[method].bind(instance);
      for (const { channel, patterns, options } of bindings) {
        try {
          subscriptions.push(channels.channel(channel).subscribe(patterns, fn, options));
        } catch (error) {
          for (const subscription of subscriptions) subscription.unsubscribe();
          throw new PubSubError('handler_binding', ERRORS.handlerBinding(className, method, describeError(error)), { cause: error });
        }
      }
    }
    return subscriptions;
  }

  /** Warnings for decorated methods the application shows but that are never bound (see findUnboundHandlers). */
  unboundHandlers(): string[] {
    return findUnboundHandlers([...this.discovery.getProviders(), ...this.discovery.getControllers()]);
  }

  private discover(): DiscoveredHandler[] {
    const found: DiscoveredHandler[] = [];
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const host = hostOf(wrapper);
      if (host === undefined) continue;
      const { prototype, className } = host;
      // The same singleton can be listed by several modules (or aliased by useExisting); each instance is bound once.
      const instance = wrapper.instance as object | undefined;
      if (instance !== undefined && instance !== null) {
        if (seen.has(instance)) continue;
        seen.add(instance);
      }
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const bindings = getChannelHandlers((prototype as Record<string, unknown>)[method]);
        if (bindings.length === 0) continue;
        found.push({
          className: className || wrapper.name?.toString() || 'anonymous',
          method,
          instance: instance as object,
          bindings,
          wrapper,
        });
      }
    }
    return found;
  }

  private check({ className, method, bindings, wrapper, instance }: DiscoveredHandler): void {
    if (wrapper.isTransient) throw bindingError(className, method, ERRORS.nonStaticHandlerHost('transient'));
    if (!wrapper.isDependencyTreeStatic()) throw bindingError(className, method, ERRORS.nonStaticHandlerHost('request-scoped'));
    if (!instance) throw bindingError(className, method, ERRORS.handlerHostNotCreated);
    for (const { channel, patterns } of bindings) {
      if (!isChannelName(channel)) throw bindingError(className, method, ERRORS.unknownChannel(channel));
      if (patterns.length === 0) throw bindingError(className, method, ERRORS.noPatterns(channel));
      for (const pattern of patterns) {
        const problem = describeInvalidPattern(pattern);
        if (problem !== undefined) throw bindingError(className, method, ERRORS.invalidPattern(pattern, channel, problem));
      }
    }
  }
}

/**
 * Where a wrapper's decorated methods live. A static provider is scanned through its instance, so classes
 * built by useFactory or given by useValue are bound like useClass ones (their metatype is the factory, or
 * nothing); scoped providers have no usable instance here and are scanned through their class.
 */
function hostOf(wrapper: InstanceWrapper): { prototype: object; className: string } | undefined {
  try {
    const instance: unknown = wrapper.instance;
    if (!wrapper.isTransient && wrapper.isDependencyTreeStatic() && instance !== null && typeof instance === 'object') {
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (prototype === null || prototype === Object.prototype) return undefined;
      const constructor = (prototype as { constructor?: unknown }).constructor;
      return { prototype, className: typeof constructor === 'function' ? constructor.name : '' };
    }
    const metatype = wrapper.metatype;
    const prototype = typeof metatype === 'function' ? (metatype.prototype as object | undefined) : undefined;
    return prototype ? { prototype, className: metatype!.name } : undefined;
  } catch {
    return undefined; // an exotic value (a Proxy with throwing traps) cannot host decorated methods we could find
  }
}

const bindingError = (className: string, method: string, problem: string): PubSubError =>
  new PubSubError('handler_binding', ERRORS.handlerBinding(className, method, problem));
