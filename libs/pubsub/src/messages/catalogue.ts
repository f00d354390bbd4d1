import type { ChannelWiring } from '../channels/channel-context.js';
import type { ChannelName } from '../channels/channel-names.js';
import { describeError } from '../describe-error.js';
import { ERRORS } from '../error-messages.js';
import {
  catalogueTypesOf,
  findCatalogueEntry,
  findChannelEntry,
  type CatalogueEntry,
  type CatalogueMessageType,
  type CataloguePayloads,
} from './catalogue-registry.js';
import { defineField } from './message-factory.js';
import { payloadProblems } from './payload-validation.js';

/**
 * The payload to publish on this application's channel. A catalogue payload that lacks a field only the
 * application knows (`node`, LogSummary's `nodesReporting`) gets a copy with it filled from the application's
 * node name; anything else comes back as it is. Never mutates the given payload (it may be published by two
 * applications), never throws: what cannot be read is returned as it is, for validation to refuse.
 */
export function completeCatalogueMessage(channel: ChannelName, type: string, payload: unknown, nodeName: string): unknown {
  try {
    const entry = findChannelEntry(channel, type);
    if (entry === undefined || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
    const source = payload as Record<string, unknown>;
    const missing = Object.entries(entry.applicationDefaults).filter(([field]) => source[field] === undefined);
    if (missing.length === 0) return payload;
    const completed = Object.create(Object.getPrototypeOf(payload) as object | null) as Record<string, unknown>;
    for (const key of Object.keys(source)) defineField(completed, key, source[key]);
    for (const [field, fill] of missing) defineField(completed, field, fill(nodeName));
    return completed;
  } catch {
    return payload;
  }
}

/**
 * Checks a message about to be published. Returns undefined when the type is not a catalogue type of that channel
 * (such messages pass as they are) or when the payload is valid; otherwise a readable error such as
 * `node_health_updated: status must be one of the following values: ...; unknown field 'stauts' (...)`.
 * Never throws, never changes the payload.
 */
export function validateCatalogueMessage(channel: ChannelName, type: string, payload: unknown): string | undefined {
  let entry: CatalogueEntry | undefined;
  try {
    entry = findChannelEntry(channel, type);
    if (entry === undefined) return undefined;
    const problems = payloadProblems(entry.payloadClass, payload);
    return problems.length === 0 ? undefined : `${type}: ${problems.join('; ')}`;
  } catch (error: unknown) {
    // Only hostile input gets here (a throwing getter, a revoked proxy): refuse the message, don't crash the publisher.
    return entry === undefined ? undefined : `${type}: ${ERRORS.payloadNotValidated(describeError(error))}`;
  }
}

/**
 * True when the message has that catalogue type and its payload is a valid payload of that type (as publishing
 * on the type's own channel checks it), narrowing `message.payload` to the type's payload class:
 * `if (isCatalogueMessage(message, 'node_health_updated')) message.payload.status`. Never throws.
 */
export function isCatalogueMessage<T extends CatalogueMessageType, M>(
  message: M,
  type: T,
): message is M & { type: T; payload: CataloguePayloads[T] } {
  try {
    if (typeof message !== 'object' || message === null) return false;
    const { type: actual, payload } = message as { type?: unknown; payload?: unknown };
    const entry = actual === type ? findCatalogueEntry(type) : undefined;
    return entry !== undefined && payloadProblems(entry.payloadClass, payload).length === 0;
  } catch {
    return false;
  }
}

/**
 * What an application's channels need for the catalogue: defaults filled from the application, then validation,
 * both only for the channel's catalogue types (a publication on `events` skips them).
 */
export const CATALOGUE_HOOKS = Object.freeze({
  complete: completeCatalogueMessage,
  validate: validateCatalogueMessage,
  checkedTypes: catalogueTypesOf,
}) satisfies ChannelWiring;
