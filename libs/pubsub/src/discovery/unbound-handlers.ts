import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { getChannelHandlers } from '../decorators/on-channel.decorator.js';
import { ERRORS } from '../error-messages.js';

/**
 * Decorated methods this application can see but will never bind, one warning text each. What the
 * application's container shows is all there is to go on (no list of decorated classes is kept anywhere,
 * which would be process-wide state): a class Nest never saw (not a provider, or in a module nobody
 * imports) cannot be told apart from one another application uses, and is not reported.
 *
 * - a provider whose token is a decorated class but whose instance is another object (useValue, useFactory,
 *   useExisting) without those decorators;
 * - a decorated method that a subclass overrides without the decorator (the override is what runs);
 * - a decorated static method (only instance methods are bound).
 */
export function findUnboundHandlers(wrappers: readonly InstanceWrapper[]): string[] {
  const warnings = new Set<string>();
  for (const wrapper of wrappers) {
    try {
      inspect(wrapper, warnings);
    } catch {
      // An exotic provider value (a Proxy with throwing traps) has nothing we could report on.
    }
  }
  return [...warnings];
}

function inspect(wrapper: InstanceWrapper, warnings: Set<string>): void {
  const instance: unknown = wrapper.instance;
  const token: unknown = wrapper.token;
  if (typeof token === 'function' && token.prototype !== undefined && instance !== null && typeof instance === 'object') {
    if (!(instance instanceof token)) {
      for (const method of decoratedMethods(token.prototype as object)) {
        if (getChannelHandlers((instance as Record<string, unknown>)[method]).length === 0) {
          warnings.add(ERRORS.unboundHandler(token.name, method, ERRORS.substitutedProvider(token.name)));
        }
      }
    }
  }
  const host = hostPrototype(wrapper);
  if (host === undefined) return;
  for (const warning of overriddenHandlers(host)) warnings.add(warning);
  const constructor = (host as { constructor?: unknown }).constructor;
  if (typeof constructor === 'function') {
    for (const key of Object.getOwnPropertyNames(constructor)) {
      const value = Object.getOwnPropertyDescriptor(constructor, key)?.value;
      if (getChannelHandlers(value).length > 0) warnings.add(ERRORS.unboundHandler(constructor.name, key, ERRORS.staticHandler));
    }
  }
}

function hostPrototype(wrapper: InstanceWrapper): object | undefined {
  const instance: unknown = wrapper.instance;
  if (instance !== null && typeof instance === 'object') {
    const prototype = Object.getPrototypeOf(instance) as object | null;
    return prototype === null || prototype === Object.prototype ? undefined : prototype;
  }
  const metatype: unknown = wrapper.metatype;
  return typeof metatype === 'function' ? (metatype.prototype as object | undefined) : undefined;
}

/** Own method names along the prototype chain that carry decorators. */
function decoratedMethods(prototype: object): string[] {
  const names: string[] = [];
  for (
    let level: object | null = prototype;
    level !== null && level !== Object.prototype;
    level = Object.getPrototypeOf(level) as object | null
  ) {
    for (const key of Object.getOwnPropertyNames(level)) {
      if (key !== 'constructor' && getChannelHandlers(Object.getOwnPropertyDescriptor(level, key)?.value).length > 0) names.push(key);
    }
  }
  return [...new Set(names)];
}

/** Decorated methods of an ancestor that the class (or a nearer ancestor) overrides without a decorator. */
function overriddenHandlers(prototype: object): string[] {
  const found: string[] = [];
  const subclass = (prototype as { constructor?: { name?: string } }).constructor?.name ?? 'a subclass';
  for (const method of decoratedMethods(prototype)) {
    const resolved = (prototype as Record<string, unknown>)[method];
    if (getChannelHandlers(resolved).length > 0) continue;
    const owner = ownerWithDecorator(prototype, method);
    if (owner !== undefined) found.push(ERRORS.unboundHandler(owner, method, ERRORS.overriddenHandler(subclass)));
  }
  return found;
}

function ownerWithDecorator(prototype: object, method: string): string | undefined {
  for (let level: object | null = prototype; level !== null; level = Object.getPrototypeOf(level) as object | null) {
    const own = Object.getOwnPropertyDescriptor(level, method)?.value;
    if (getChannelHandlers(own).length > 0) return (level as { constructor?: { name?: string } }).constructor?.name ?? 'a base class';
  }
  return undefined;
}
