import { randomBytes } from 'node:crypto';
import { localNodeName } from './local-node.js';

/** What every catalogue factory returns, ready for `channel.publish(topic, message)`. */
export interface CatalogueMessage<T extends string = string, P extends object = object> {
  type: T;
  payload: P;
}

export type PayloadClass<P extends object = object> = new () => P;

/** The payload as built so far: the given fields, the timestamp, then each default in declaration order. */
export type PayloadDraft = Readonly<Record<string, unknown>>;

/** Computes one default; returning undefined leaves the field absent (its inputs were unusable). */
export type FieldDefault = (draft: PayloadDraft, now: number) => unknown;

export type FieldDefaults<P> = { readonly [K in keyof P]?: FieldDefault };

/**
 * The single object a factory takes: the payload's fields, where those with a default may be left out, plus any
 * extra key, which is kept as given.
 */
export type FactoryInput<P, Defaulted extends PropertyKey> = Omit<P, Defaulted> &
  Partial<Pick<P, Extract<Defaulted, keyof P>>> & { readonly [extraField: string]: unknown };

export interface MessageFactory<T extends string, P extends object, Input> {
  (fields: Input): CatalogueMessage<T, P>;
  readonly type: T;
  readonly payloadClass: PayloadClass<P>;
}

/**
 * Builds the factory of one catalogue message type. The factory never throws: bad input only makes the payload
 * invalid at validation time.
 */
export function defineMessage<T extends string, P extends object, D extends FieldDefaults<P>>(
  type: T,
  payloadClass: PayloadClass<P>,
  defaults: D,
): MessageFactory<T, P, FactoryInput<P, keyof D | 'timestamp'>> {
  const defaultEntries = Object.entries(defaults) as [string, FieldDefault][];

  const factory = (fields: unknown): CatalogueMessage<T, P> => {
    const now = Date.now();
    // No constructor call: class-field initialisers would add every declared field as an own `undefined`.
    const payload = Object.create(payloadClass.prototype) as Record<string, unknown>;
    copyGivenFields(fields, payload);
    if (payload.timestamp === undefined) defineField(payload, 'timestamp', now);
    for (const [field, computeDefault] of defaultEntries) {
      if (payload[field] !== undefined) continue;
      const value = computeDefault(payload, now);
      if (value !== undefined) defineField(payload, field, value);
    }
    return { type, payload: payload as P };
  };

  return Object.freeze(Object.assign(factory, { type, payloadClass }));
}

/** A field given as `undefined` counts as not given, so its default applies. */
function copyGivenFields(fields: unknown, payload: Record<string, unknown>): void {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return;
  const source = fields as Record<string, unknown>;
  for (const field of Object.keys(source)) {
    const value = source[field];
    if (value !== undefined) defineField(payload, field, value);
  }
}

// defineProperty rather than assignment: a given key such as `__proto__` must stay a plain field.
function defineField(payload: Record<string, unknown>, field: string, value: unknown): void {
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

export const localNode: FieldDefault = () => localNodeName();

export const constant =
  (value: string | number | boolean | null): FieldDefault =>
  () =>
    value;

// Each message gets its own container so that one payload's mutation never leaks into another's.
export const emptyObject: FieldDefault = () => ({});
export const emptyList: FieldDefault = () => [];

/** The moment the factory was called, even when the message's own timestamp was given. */
export const callTime: FieldDefault = (_draft, now) => now;
