import type { ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage, SubscribeOptions } from '../channels/channel.types.js';

export const PUBSUB_HANDLERS_METADATA = 'gater:pubsub:handlers';

export interface ChannelHandlerMetadata {
  channel: ChannelName;
  patterns: string[];
  options?: SubscribeOptions;
}

/**
 * A method that can be given a delivered message: one parameter (or none) that a PubSubMessage fits, its
 * payload typed as the method likes (`PubSubMessage<{ storeId: string }>`); the payload is not checked at run time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any, so a typed payload parameter fits
export type ChannelHandlerMethod = (message: PubSubMessage<any>) => unknown;

declare const usableOnlyAsMethodDecorator: unique symbol;

/**
 * A method decorator that only fits methods that can take a message. The second signature is never callable
 * (its `this` cannot be satisfied): it only lets the decorator be passed where a MethodDecorator is expected,
 * as in `applyDecorators(OnHealth('x'), ...)`.
 */
export interface ChannelHandlerDecorator {
  <M extends ChannelHandlerMethod>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void;
  <T>(
    this: { readonly [usableOnlyAsMethodDecorator]: true },
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void;
}

/**
 * Binds the method to `channel` when the application initialises. Stored on the method itself, as a list,
 * so several decorators can stack. Checked at bootstrap, where the error can name the class and method.
 */
export function OnChannel(channel: ChannelName, pattern: string | string[], options?: SubscribeOptions): ChannelHandlerDecorator {
  const decorate = (_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<unknown>): void => {
    const method = descriptor.value as object;
    const existing: ChannelHandlerMetadata[] = Reflect.getMetadata(PUBSUB_HANDLERS_METADATA, method) ?? [];
    const patterns = Array.isArray(pattern) ? [...pattern] : [pattern];
    Reflect.defineMetadata(PUBSUB_HANDLERS_METADATA, [...existing, { channel, patterns, options }], method);
  };
  return decorate as ChannelHandlerDecorator;
}

export function getChannelHandlers(method: unknown): ChannelHandlerMetadata[] {
  if (typeof method !== 'function') return [];
  return Reflect.getMetadata(PUBSUB_HANDLERS_METADATA, method) ?? [];
}
