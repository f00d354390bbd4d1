import { randomBytes } from 'node:crypto';

/** What every catalogue factory returns, ready for `channel.publish(topic, message)`. */
export interface CatalogueMessage<T extends string = string, P extends object = object> {
  type: T;
  payload: P;
}

export type PayloadClass<P extends object = object> = new () => P;

/** The payload as built so far: the given fields, the timestamp, then each default in declaration order. */
export type PayloadDraft = Readonly<Record<string, unknown>>;

/** Computes one default; returning undefined (or throwing) leaves the field absent (its inputs were unusable). */
export type FieldDefault = (draft: PayloadDraft, now: number) => unknown;

export type FieldDefaults<P> = { readonly [K in keyof P]?: FieldDefault };

/**
 * A default only the publishing application knows: its node name. Factories leave such a field out; the
 * application's publish path fills it in (see completeCatalogueMessage), so two applications in one process
 * each name their own node.
 */
export type ApplicationDefault = (nodeName: string) => unknown;

export type ApplicationDefaults<P> = { readonly [K in keyof P]?: ApplicationDefault };

/**
 * The single object a factory takes: the payload's fields, where those with a default may be left out. No other
 * key is accepted (publishing refuses unknown fields, so the type says so first).
 */
export type FactoryInput<P, Defaulted extends PropertyKey> = Omit<P, Defaulted> & Partial<Pick<P, Extract<Defaulted, keyof P>>>;

/** A factory's payload: the class, except that the application's defaults are filled only on publish. */
export type DraftPayload<P, ApplicationDefaulted extends PropertyKey> = Omit<P, ApplicationDefaulted> &
  Partial<Pick<P, Extract<ApplicationDefaulted, keyof P>>>;

export interface MessageFactory<T extends string, P extends object, Input, Draft extends object = P> {
  (fields: Input): CatalogueMessage<T, Draft>;
  readonly type: T;
  readonly payloadClass: PayloadClass<P>;
  /** The fields publishing fills from the application (its node name) when the payload lacks them. */
  readonly applicationDefaults: Readonly<Record<string, ApplicationDefault>>;
}

/**
 * Builds the factory of one catalogue message type. The factory never throws, whatever it is given: a field it
 * cannot read (a throwing getter, a Proxy trap, a revoked Proxy) is left out, so validation on publish refuses
 * the payload instead.
 */
export function defineMessage<
  T extends string,
  P extends object,
  D extends FieldDefaults<P>,
  A extends ApplicationDefaults<P> = Record<never, never>,
>(
  type: T,
  payloadClass: PayloadClass<P>,
  defaults: D,
  applicationDefaults: A = {} as A,
): MessageFactory<T, P, FactoryInput<P, keyof D | keyof A | 'timestamp'>, DraftPayload<P, keyof A>> {
  const defaultEntries = Object.entries(defaults) as [string, FieldDefault][];

  const factory = (fields: unknown): CatalogueMessage<T, DraftPayload<P, keyof A>> => {
    const now = Date.now();
    // No constructor call: class-field initialisers would add every declared field as an own `undefined`.
    const payload = Object.create(payloadClass.prototype) as Record<string, unknown>;
    for (const [field, value] of readableFields(fields)) defineField(payload, field, value);
    if (payload.timestamp === undefined) defineField(payload, 'timestamp', now);
    for (const [field, computeDefault] of defaultEntries) {
      if (payload[field] !== undefined) continue;
      const value = computeSafely(computeDefault, payload, now);
      if (value !== undefined) defineField(payload, field, value);
    }
    return { type, payload: payload as DraftPayload<P, keyof A> };
  };

  const applicationDefaultsCopy = Object.freeze({ ...applicationDefaults }) as Readonly<Record<string, ApplicationDefault>>;
  return Object.freeze(Object.assign(factory, { type, payloadClass, applicationDefaults: applicationDefaultsCopy }));
}

/**
 * The own enumerable fields of the input that can be read. A field given as `undefined` counts as not given, so
 * its default applies. Hostile input reads as less input: keys that cannot be listed give no fields, a value
 * that cannot be read is skipped.
 */
function readableFields(fields: unknown): [string, unknown][] {
  let source: Record<string, unknown>;
  let keys: string[];
  try {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return [];
    source = fields as Record<string, unknown>;
    keys = Object.keys(source);
  } catch {
    return [];
  }
  const readable: [string, unknown][] = [];
  for (const key of keys) {
    try {
      const value = source[key];
      if (value !== undefined) readable.push([key, value]);
    } catch {
      // Left out: validation names the field if it was required.
    }
  }
  return readable;
}

function computeSafely(computeDefault: FieldDefault, draft: PayloadDraft, now: number): unknown {
  try {
    return computeDefault(draft, now);
  } catch {
    return undefined;
  }
}

// defineProperty rather than assignment: a given key such as `__proto__` must stay a plain field.
export function defineField(payload: Record<string, unknown>, field: string, value: unknown): void {
  Object.defineProperty(payload, field, { value, writable: true, enumerable: true, configurable: true });
}

// ---- default builders shared by the channel files ----

export function randomHex16(): string {
  return randomBytes(8).toString('hex');
}

/** A fresh id per message: `prefix` followed by 16 lowercase hex characters. */
export const generatedId =
  (prefix = ''): FieldDefault =>
  () =>
    prefix + randomHex16();

/** The publishing application's node name (its `nodeName` option). */
export const applicationNode: ApplicationDefault = (nodeName) => nodeName;

export const constant =
  (value: string | number | boolean | null): FieldDefault =>
  () =>
    value;

// Each message gets its own container so that one payload's mutation never leaks into another's.
export const emptyObject: FieldDefault = () => ({});
export const emptyList: FieldDefault = () => [];

/** The moment the factory was called, even when the message's own timestamp was given. */
export const callTime: FieldDefault = (_draft, now) => now;
