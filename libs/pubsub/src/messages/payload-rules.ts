import { IsArray, IsBoolean, IsDefined, IsIn, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, ValidateBy } from 'class-validator';

/**
 * Property rules shared by every catalogue payload class. Each rule stacks class-validator decorators in a fixed
 * order: presence first, then the type check, so that with `stopAtFirstError` a missing field reads
 * "x should not be null or undefined" rather than a list of every check it also fails.
 */

/** Values of the severity scale shared by diagnostics and security payloads. */
export const SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

export const QUORUM_STATUSES = ['available', 'lost'] as const;
export type QuorumStatus = (typeof QUORUM_STATUSES)[number];

const FINITE_NUMBER = { allowNaN: false, allowInfinity: false } as const;

function allOf(...rules: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyKey) => {
    for (const rule of rules) rule(target, propertyKey);
  };
}

/** A field that must hold something, of any type. */
export const RequiredValue = (): PropertyDecorator => IsDefined();
/** A field that may hold anything or be absent: declared so that it is a known field, not an unknown one. */
export const AnyValue = (): PropertyDecorator => IsOptional();

export const RequiredText = (): PropertyDecorator => allOf(IsDefined(), IsString(), IsNotEmpty());
export const OptionalText = (): PropertyDecorator => allOf(IsOptional(), IsString());

export const RequiredNumber = (): PropertyDecorator => allOf(IsDefined(), IsNumber(FINITE_NUMBER));
export const OptionalNumber = (): PropertyDecorator => allOf(IsOptional(), IsNumber(FINITE_NUMBER));

export const RequiredBoolean = (): PropertyDecorator => allOf(IsDefined(), IsBoolean());
export const OptionalBoolean = (): PropertyDecorator => allOf(IsOptional(), IsBoolean());

export const RequiredObject = (): PropertyDecorator => allOf(IsDefined(), IsObject());
export const OptionalObject = (): PropertyDecorator => allOf(IsOptional(), IsObject());

export const RequiredList = (): PropertyDecorator => allOf(IsDefined(), IsArray());
export const OptionalList = (): PropertyDecorator => allOf(IsOptional(), IsArray());

export const RequiredChoice = (values: readonly string[]): PropertyDecorator => allOf(IsDefined(), IsIn([...values]));
export const OptionalChoice = (values: readonly string[]): PropertyDecorator => allOf(IsOptional(), IsIn([...values]));

const isFiniteNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

/** Milliseconds since the epoch; every payload carries one. */
export const Timestamp = RequiredNumber;

/** An operating-system or runtime process id: a finite number, or a non-empty string for foreign runtimes. */
export const ProcessId = (): PropertyDecorator =>
  ValidateBy({
    name: 'isProcessId',
    validator: {
      validate: (value: unknown) => (typeof value === 'string' && value.length > 0) || isFiniteNumber(value),
      defaultMessage: (args) => `${args?.property ?? 'pid'} must be a non-empty string or a finite number`,
    },
  });

export const OptionalProcessId = (): PropertyDecorator => allOf(IsOptional(), ProcessId());

/** An object whose keys are all among `names` and whose values are all finite numbers, e.g. `{ p50: 3, p99: 12 }`. */
export const OptionalNumbersByName = (names: readonly string[]): PropertyDecorator =>
  allOf(
    IsOptional(),
    ValidateBy({
      name: 'isNumbersByName',
      constraints: [[...names]],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(([name, count]) => names.includes(name) && isFiniteNumber(count)),
        defaultMessage: (args) => `${args?.property ?? 'field'} must be an object of finite numbers keyed by ${names.join(', ')}`,
      },
    }),
  );
