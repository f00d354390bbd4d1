import { getMetadataStorage, validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import { ERRORS } from '../error-messages.js';
import type { PayloadClass } from './message-factory.js';

const VALIDATOR_OPTIONS: ValidatorOptions = Object.freeze({
  forbidUnknownValues: false,
  // One message per field: "x should not be null or undefined" says it all for a missing x.
  stopAtFirstError: true,
  // The errors are turned into a string at once; keeping references to the payload would only cost memory.
  validationError: Object.freeze({ target: false, value: false }),
});

const fieldsByClass = new WeakMap<PayloadClass, ReadonlySet<string>>();

/** The fields of a payload class: every field that carries a rule (a class declares each of its fields with one). */
export function payloadFields(payloadClass: PayloadClass): ReadonlySet<string> {
  let fields = fieldsByClass.get(payloadClass);
  if (fields === undefined) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(payloadClass, '', true, false);
    fields = new Set(metadata.map((rule) => rule.propertyName));
    fieldsByClass.set(payloadClass, fields);
  }
  return fields;
}

/**
 * What class-validator should see. An instance of the class is validated as it is. Anything else gets a fresh
 * instance holding the same values of the validated fields only — shallow, unlike plainToInstance, which deep-copies
 * (slow on big payloads, and overflows the stack on a cyclic one that in-memory delivery would carry fine). An own
 * `constructor` key would make class-validator look up the wrong rules, so such an instance is copied too.
 */
function validationTarget(payloadClass: PayloadClass, payload: object): object {
  if (payload instanceof payloadClass && !Object.hasOwn(payload, 'constructor')) return payload;
  const source = payload as Record<string, unknown>;
  const target = Object.create(payloadClass.prototype) as Record<string, unknown>;
  for (const field of payloadFields(payloadClass)) target[field] = source[field];
  return target;
}

function describeErrors(errors: readonly ValidationError[]): string[] {
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}

/** The payload's own keys that are not fields of its class, as one problem naming them; none when there are none. */
function unknownFieldProblems(payloadClass: PayloadClass, payload: object): string[] {
  const known = payloadFields(payloadClass);
  const unknown = Object.keys(payload).filter((key) => !known.has(key));
  return unknown.length === 0 ? [] : [ERRORS.unknownPayloadFields(payloadClass.name, unknown, [...known])];
}

/**
 * The problems of a payload against its class, as readable sentences; empty when it is valid. Fields the class
 * does not declare are a problem too. Neither mutates nor strips the payload. May throw on hostile input (a
 * throwing getter): the caller guards.
 */
export function payloadProblems(payloadClass: PayloadClass, payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return [ERRORS.payloadNotAnObject];
  return [
    ...describeErrors(validateSync(validationTarget(payloadClass, payload), VALIDATOR_OPTIONS)),
    ...unknownFieldProblems(payloadClass, payload),
  ];
}
