import type { ChannelName } from '../channels/channel-names.js';
import { AlertMessages, type AlertMessageType } from './alert.messages.js';
import { AuditMessages, type AuditMessageType } from './audit.messages.js';
import { DiagnosticsMessages, type DiagnosticsMessageType } from './diagnostics.messages.js';
import { HealthMessages, type HealthMessageType } from './health.messages.js';
import { LifecycleMessages, type LifecycleMessageType } from './lifecycle.messages.js';
import { LoggingMessages, type LoggingMessageType } from './logging.messages.js';
import type { PayloadClass } from './message-factory.js';
import { MetricsMessages, type MetricsMessageType } from './metrics.messages.js';
import { payloadProblems } from './payload-validation.js';
import { SecurityMessages, type SecurityMessageType } from './security.messages.js';
import { SystemMessages, type SystemMessageType } from './system.messages.js';
import { describeError } from '../describe-error.js';

/** The channels that have a message catalogue: all but `events`, which carries raw domain events. */
export type OperationalChannel = Exclude<ChannelName, 'events'>;

export type CatalogueMessageType =
  | SystemMessageType
  | HealthMessageType
  | MetricsMessageType
  | LifecycleMessageType
  | AlertMessageType
  | AuditMessageType
  | DiagnosticsMessageType
  | SecurityMessageType
  | LoggingMessageType;

interface CatalogueEntry {
  readonly type: string;
  readonly payloadClass: PayloadClass;
}

const FACTORIES_BY_CHANNEL: Readonly<Record<OperationalChannel, Readonly<Record<string, CatalogueEntry>>>> = {
  system: SystemMessages,
  health: HealthMessages,
  metrics: MetricsMessages,
  lifecycle: LifecycleMessages,
  alerts: AlertMessages,
  audit: AuditMessages,
  diagnostics: DiagnosticsMessages,
  security: SecurityMessages,
  logging: LoggingMessages,
};

// Maps, not object lookups: a type such as 'constructor' or '__proto__' must not find Object's own members.
const CLASSES_BY_CHANNEL: ReadonlyMap<string, ReadonlyMap<string, PayloadClass>> = new Map(
  Object.entries(FACTORIES_BY_CHANNEL).map(([channel, factories]) => [
    channel,
    new Map(Object.values(factories).map(({ type, payloadClass }) => [type, payloadClass])),
  ]),
);

/** Per operational channel, each catalogue type tag and its payload class. */
export const CATALOGUE: Readonly<Record<OperationalChannel, Readonly<Record<string, PayloadClass>>>> = Object.freeze(
  Object.fromEntries(
    [...CLASSES_BY_CHANNEL].map(([channel, classes]) => [channel, Object.freeze(Object.fromEntries(classes))]),
  ) as Record<OperationalChannel, Readonly<Record<string, PayloadClass>>>,
);

/** The payload class of a catalogue type on that channel, or undefined when the type is not in its catalogue. */
export function findPayloadClass(channel: string, type: string): PayloadClass | undefined {
  return CLASSES_BY_CHANNEL.get(channel)?.get(type);
}

/**
 * Checks a message about to be published. Returns undefined when the type is not a catalogue type of that channel
 * (such messages pass as they are) or when the payload is valid; otherwise a readable error such as
 * `node_health_updated: status must be one of the following values: ...; node must be a string`.
 * Never throws, never changes the payload.
 */
export function validateCatalogueMessage(channel: ChannelName, type: string, payload: unknown): string | undefined {
  let payloadClass: PayloadClass | undefined;
  try {
    payloadClass = findPayloadClass(channel, type);
    if (payloadClass === undefined) return undefined;
    const problems = payloadProblems(payloadClass, payload);
    return problems.length === 0 ? undefined : `${type}: ${problems.join('; ')}`;
  } catch (error: unknown) {
    // Only hostile input gets here (a throwing getter, a revoked proxy): refuse the message, don't crash the publisher.
    return payloadClass === undefined ? undefined : `${type}: payload could not be validated (${describeError(error)})`;
  }
}
