import { describeError } from './describe-error.js';
import { ERRORS } from './error-messages.js';
import { PubSubError } from './pubsub-error.js';

/** An optional peer dependency: the package, the range we support, and the feature that needs it. */
export interface OptionalPeer {
  specifier: string;
  range: string;
  feature: string;
}

/**
 * Loads an optional peer on demand, so applications that do not use its feature need not install it.
 * Throws a PubSubError ('missing_peer') naming the package and how to install it.
 */
export async function loadPeer<T>(peer: OptionalPeer): Promise<T> {
  try {
    return (await import(peer.specifier)) as T;
  } catch (error) {
    throw new PubSubError('missing_peer', ERRORS.missingPeer(peer.feature, peer.specifier, peer.range, describeError(error)));
  }
}

/** Whether an optional peer is installed: features that are on only when it is present ask this. */
export async function tryLoadPeer<T>(specifier: string): Promise<T | undefined> {
  try {
    return (await import(specifier)) as T;
  } catch {
    return undefined;
  }
}

/** A named export of a loaded module, whether the module is ESM or CommonJS seen through `default`. */
export function exportOf<T>(loaded: unknown, name: string): T | undefined {
  const namespace = loaded as Record<string, unknown> | undefined;
  const value = namespace?.[name] ?? (namespace?.default as Record<string, unknown> | undefined)?.[name];
  return value as T | undefined;
}
