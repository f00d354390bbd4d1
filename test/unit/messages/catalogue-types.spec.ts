import { describe, expect, it } from '@jest/globals';
import { CATALOGUE, validateCatalogueMessage } from '../../../libs/pubsub/src/messages/index.js';
import { INFRASTRUCTURE_CASES } from './cases.infrastructure.js';
import { OPERATIONS_CASES } from './cases.operations.js';
import { SECURITY_AND_LOGGING_CASES } from './cases.security-logging.js';
import { build, publishable, type MessageCase } from './message-case.js';

const ALL_CASES: readonly MessageCase[] = [...INFRASTRUCTURE_CASES, ...OPERATIONS_CASES, ...SECURITY_AND_LOGGING_CASES];

/** The individual problems of an error string, checking its `type: ` prefix on the way. */
function problemsOf(error: string | undefined, type: string): string[] {
  expect(error).toEqual(expect.stringMatching(new RegExp(`^${type}: `)));
  return (error as string).slice(type.length + 2).split('; ');
}

function expectProblem(error: string | undefined, type: string, startOfProblem: string): void {
  expect(problemsOf(error, type)).toContainEqual(expect.stringMatching(new RegExp(`^${startOfProblem}`)));
}

it('the table covers each of the 36 catalogue types once, with its channel and class name', () => {
  const catalogued = Object.entries(CATALOGUE).flatMap(([channel, classes]) =>
    Object.entries(classes).map(([type, payloadClass]) => `${channel} ${type} ${payloadClass.name}`),
  );
  const described = ALL_CASES.map(({ channel, type, className }) => `${channel} ${type} ${className}`);
  expect(new Set(described).size).toBe(36);
  expect(catalogued.sort()).toEqual(described.sort());
});

describe.each(ALL_CASES.map((row) => [row.type, row] as const))('%s', (_type, row) => {
  const validate = (payload: unknown): string | undefined => validateCatalogueMessage(row.channel, row.type, payload);
  const built = (): Record<string, unknown> => publishable(row, row.valid);

  it('returns its type and an instance of its payload class', () => {
    const message = build(row.factory, row.valid);
    expect(Object.keys(message).sort()).toEqual(['payload', 'type']);
    expect(message.type).toBe(row.type);
    expect(row.factory.type).toBe(row.type);
    expect(message.payload).toBeInstanceOf(row.factory.payloadClass);
    expect(row.factory.payloadClass.name).toBe(row.className);
  });

  it('keeps the given fields and adds exactly the listed defaults and a timestamp', () => {
    const before = Date.now();
    const payload = built();
    const after = Date.now();
    expect(payload).toMatchObject({ ...row.valid, ...row.defaults });
    expect(payload.timestamp).toBeGreaterThanOrEqual(before);
    expect(payload.timestamp).toBeLessThanOrEqual(after);
    const expectedFields = new Set([...Object.keys(row.valid), ...Object.keys(row.defaults), 'timestamp']);
    expect(Object.keys(payload).sort()).toEqual([...expectedFields].sort());
  });

  it('keeps explicit values over the defaults', () => {
    const given = { ...row.valid, ...row.overrides, timestamp: 1_234 };
    const payload = publishable(row, given);
    expect(payload).toMatchObject(given);
    expect(validate(payload)).toBeUndefined();
  });

  it('keeps an unknown key as given, and validation refuses it by name', () => {
    const traceparent = { id: 'not a field' };
    const payload = publishable(row, { ...row.valid, traceparent });
    expect(payload.traceparent).toBe(traceparent);
    expect(problemsOf(validate(payload), row.type)).toEqual([
      expect.stringMatching(new RegExp(`^unknown field 'traceparent' \\(${row.className} has .*\\btimestamp\\b`)),
    ]);
  });

  it("leaves the application's defaults (node) to publishing: the factory alone never fills them", () => {
    const fromFactory = build(row.factory, row.valid).payload;
    for (const field of ['node', 'nodesReporting']) {
      if (field in row.defaults) expect(fromFactory).not.toHaveProperty(field);
    }
    expect(row.factory.applicationDefaults).toEqual(
      Object.fromEntries(['node', 'nodesReporting'].filter((field) => field in row.defaults).map((f) => [f, expect.any(Function)])),
    );
  });

  it('passes validation as built, as a plain copy and after a JSON round trip', () => {
    const payload = built();
    expect(validate(payload)).toBeUndefined();
    expect(validate({ ...payload })).toBeUndefined();
    expect(validate(JSON.parse(JSON.stringify(payload)))).toBeUndefined();
  });

  it.each([...row.required, 'timestamp'])('is invalid without %s, and the error names it', (field) => {
    const payload = built();
    expect(payload[field]).toBeDefined();
    const plainCopy: Record<string, unknown> = { ...payload };
    delete plainCopy[field];
    expectProblem(validate(plainCopy), row.type, `${field} `);
    delete payload[field];
    expectProblem(validate(payload), row.type, `${field} `);
  });

  const enums = row.enums ?? [];
  if (enums.length > 0) {
    it.each(enums)('is invalid when %s is not one of its values', (field) => {
      const payload = publishable(row, { ...row.valid, [field]: 'not-a-listed-value' });
      expectProblem(validate(payload), row.type, `${field} must be one of the following values: `);
    });
  }

  it.each(
    [...(row.numbers ?? []), 'timestamp'].flatMap((field) => [
      [field, Number.NaN],
      [field, Number.POSITIVE_INFINITY],
      [field, Number.NEGATIVE_INFINITY],
    ]),
  )('is invalid when %s is %p', (field, value) => {
    const payload = publishable(row, { ...row.valid, [field]: value });
    expectProblem(validate(payload), row.type, `${field} must be a number`);
  });
});
