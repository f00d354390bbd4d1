import type { ChannelName } from '../channels/channel-names.js';
import type { SubscribeOptions } from '../channels/channel.types.js';

export const PUBSUB_HANDLERS_METADATA = 'gater:pubsub:handlers';

export interface ChannelHandlerMetadata {
  channel: ChannelName;
  patterns: string[];
  options?: SubscribeOptions;
}

/**
 * Binds the method to `channel` when the application initialises. Stored on the method itself, as a list,
 * so several decorators can stack. Checked at bootstrap, where the error can name the class and method.
 */
export function OnChannel(channel: ChannelName, pattern: string | string[], options?: SubscribeOptions): MethodDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const existing: ChannelHandlerMetadata[] = Reflect.getMetadata(PUBSUB_HANDLERS_METADATA, method) ?? [];
    const patterns = Array.isArray(pattern) ? [...pattern] : [pattern];
    Reflect.defineMetadata(PUBSUB_HANDLERS_METADATA, [...existing, { channel, patterns, options }], method);
    return descriptor;
  };
}

export function getChannelHandlers(method: unknown): ChannelHandlerMetadata[] {
  if (typeof method !== 'function') return [];
  return Reflect.getMetadata(PUBSUB_HANDLERS_METADATA, method) ?? [];
}
