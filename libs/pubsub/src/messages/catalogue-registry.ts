import type { ChannelName } from '../channels/channel-names.js';
import { AlertMessages } from './alert.messages.js';
import { AuditMessages } from './audit.messages.js';
import { DiagnosticsMessages } from './diagnostics.messages.js';
import { HealthMessages } from './health.messages.js';
import { LifecycleMessages } from './lifecycle.messages.js';
import { LoggingMessages } from './logging.messages.js';
import type { ApplicationDefault, PayloadClass } from './message-factory.js';
import { MetricsMessages } from './metrics.messages.js';
import { SecurityMessages } from './security.messages.js';
import { SystemMessages } from './system.messages.js';

/** The channels that have a message catalogue: all but `events`, which carries raw domain events. */
export type OperationalChannel = Exclude<ChannelName, 'events'>;

const FACTORIES_BY_CHANNEL = {
  system: SystemMessages,
  health: HealthMessages,
  metrics: MetricsMessages,
  lifecycle: LifecycleMessages,
  alerts: AlertMessages,
  audit: AuditMessages,
  diagnostics: DiagnosticsMessages,
  security: SecurityMessages,
  logging: LoggingMessages,
} as const satisfies Record<OperationalChannel, object>;

type FactoriesOf<Group> = Group[keyof Group];
type CatalogueFactory = FactoriesOf<{ [C in OperationalChannel]: FactoriesOf<(typeof FACTORIES_BY_CHANNEL)[C]> }>;

/** Every catalogue type name, mapped to its payload class (as an instance type). */
export type CataloguePayloads = {
  [F in CatalogueFactory as F['type']]: InstanceType<F['payloadClass']>;
};

export type CatalogueMessageType = keyof CataloguePayloads;

/** What the registry knows of one catalogue type. */
export interface CatalogueEntry {
  readonly channel: OperationalChannel;
  readonly type: string;
  readonly payloadClass: PayloadClass;
  readonly applicationDefaults: Readonly<Record<string, ApplicationDefault>>;
}

const ENTRIES: readonly CatalogueEntry[] = Object.freeze(
  Object.entries(FACTORIES_BY_CHANNEL).flatMap(([channel, factories]) =>
    Object.values(factories as Record<string, Omit<CatalogueEntry, 'channel'>>).map(
      ({ type, payloadClass, applicationDefaults }): CatalogueEntry =>
        Object.freeze({ channel: channel as OperationalChannel, type, payloadClass, applicationDefaults }),
    ),
  ),
);

// Maps, not object lookups: a type such as 'constructor' or '__proto__' must not find Object's own members.
// Type names are unique across the catalogue, so one map serves every channel.
const ENTRY_BY_TYPE: ReadonlyMap<string, CatalogueEntry> = new Map(ENTRIES.map((entry) => [entry.type, entry]));

/** Per operational channel, each catalogue type tag and its payload class. */
export const CATALOGUE: Readonly<Record<OperationalChannel, Readonly<Record<string, PayloadClass>>>> = Object.freeze(
  Object.fromEntries(
    Object.keys(FACTORIES_BY_CHANNEL).map((channel) => [
      channel,
      Object.freeze(
        Object.fromEntries(ENTRIES.filter((entry) => entry.channel === channel).map(({ type, payloadClass }) => [type, payloadClass])),
      ),
    ]),
  ) as Record<OperationalChannel, Readonly<Record<string, PayloadClass>>>,
);

/** The catalogue entry of a type, whatever channel it belongs to; undefined when it is not a catalogue type. */
export function findCatalogueEntry(type: string): CatalogueEntry | undefined {
  return ENTRY_BY_TYPE.get(type);
}

/** The entry of a catalogue type on that channel, or undefined when the type is not in that channel's catalogue. */
export function findChannelEntry(channel: string, type: string): CatalogueEntry | undefined {
  const entry = ENTRY_BY_TYPE.get(type);
  return entry?.channel === channel ? entry : undefined;
}

/** The payload class of a catalogue type on that channel, or undefined when the type is not in its catalogue. */
export function findPayloadClass(channel: string, type: string): PayloadClass | undefined {
  return findChannelEntry(channel, type)?.payloadClass;
}

/** Every catalogue entry, channel by channel in channel order, each in declaration order. */
export function catalogueEntries(): readonly CatalogueEntry[] {
  return ENTRIES;
}

const NO_TYPES: ReadonlySet<string> = new Set();
const TYPES_BY_CHANNEL: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.keys(FACTORIES_BY_CHANNEL).map((channel) => [
    channel,
    new Set(ENTRIES.filter((entry) => entry.channel === channel).map((entry) => entry.type)),
  ]),
);

/** The catalogue types of a channel (none for `events`). */
export function catalogueTypesOf(channel: string): ReadonlySet<string> {
  return TYPES_BY_CHANNEL.get(channel) ?? NO_TYPES;
}
