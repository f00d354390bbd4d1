import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  AlertMessages,
  DiagnosticsMessages,
  LifecycleMessages,
  LoggingMessages,
  MetricsMessages,
  SystemMessages,
  validateCatalogueMessage,
} from '../../../libs/pubsub/src/messages/index.js';
import { completeCatalogueMessage } from '../../../libs/pubsub/src/messages/catalogue.js';
import { INFRASTRUCTURE_CASES } from './cases.infrastructure.js';
import { OPERATIONS_CASES } from './cases.operations.js';
import { SECURITY_AND_LOGGING_CASES } from './cases.security-logging.js';
import { TEST_NODE, build } from './message-case.js';
import { anyValue } from '../../support/arbitraries.js';

const ALL_CASES = [...INFRASTRUCTURE_CASES, ...OPERATIONS_CASES, ...SECURITY_AND_LOGGING_CASES];
const KNOWN_FIELDS = [
  ...new Set(ALL_CASES.flatMap((row) => Object.keys({ ...row.valid, ...row.defaults, ...row.overrides }))),
  'timestamp',
];
const ANY_VALUE = anyValue;

describe('every factory, whatever it is given', () => {
  it('never throws and still returns its type and an instance of its class', () => {
    fc.assert(
      fc.property(ANY_VALUE, fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), ANY_VALUE), (junk, junkFields) => {
        for (const { factory, channel, type } of ALL_CASES) {
          for (const input of [junk, junkFields]) {
            const message = build(factory, input);
            expect(message.type).toBe(type);
            expect(message.payload).toBeInstanceOf(factory.payloadClass);
            const verdict = validateCatalogueMessage(channel, type, message.payload);
            expect(verdict === undefined || typeof verdict === 'string').toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it.each([undefined, null, 42, 'text', [], true])('builds an invalid payload from %p', (input) => {
    for (const { factory, channel, type } of ALL_CASES) {
      const { payload } = build(factory, input);
      expect(validateCatalogueMessage(channel, type, payload)).toMatch(new RegExp(`^${type}: `));
    }
  });

  it('treats a field given as undefined as not given', () => {
    const { payload } = AlertMessages.systemAlert({
      severity: 'info',
      category: 'system',
      title: 't',
      metadata: undefined,
      node: undefined,
    });
    expect(payload.metadata).toEqual({});
    expect(payload).not.toHaveProperty('node');
    expect(completeCatalogueMessage('alerts', 'system_alert', payload, TEST_NODE)).toMatchObject({ node: TEST_NODE });
  });

  it('gives every message its own default containers', () => {
    const first = AlertMessages.systemAlert({ severity: 'info', category: 'system', title: 't' }).payload;
    const second = AlertMessages.systemAlert({ severity: 'info', category: 'system', title: 't' }).payload;
    expect(first.metadata).not.toBe(second.metadata);
  });

  it('keeps a given __proto__ key as a plain field without touching the prototype', () => {
    const fields = JSON.parse('{"component":"db","changes":{},"__proto__":{"polluted":true}}') as never;
    const { payload } = SystemMessages.systemConfig(fields);
    expect(Object.getPrototypeOf(payload)).toBe(SystemMessages.systemConfig.payloadClass.prototype);
    expect(Object.getOwnPropertyDescriptor(payload, '__proto__')?.value).toEqual({ polluted: true });
    expect((payload as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('leaves node to the application that publishes, which fills it without touching the payload', () => {
    const { type, payload } = MetricsMessages.latencyMetric({ operation: 'o', latencyMs: 1, percentile: 'max' });
    expect(payload).not.toHaveProperty('node');
    const first = completeCatalogueMessage('metrics', type, payload, 'first-node');
    const second = completeCatalogueMessage('metrics', type, payload, 'second-node');
    expect([first, second]).toEqual([
      { ...payload, node: 'first-node' },
      { ...payload, node: 'second-node' },
    ]);
    expect(first).toBeInstanceOf(MetricsMessages.latencyMetric.payloadClass);
    expect(payload).not.toHaveProperty('node');
    const named = MetricsMessages.latencyMetric({ operation: 'o', latencyMs: 1, percentile: 'max', node: 'given' });
    expect(completeCatalogueMessage('metrics', type, named.payload, 'first-node')).toBe(named.payload);
  });
});

describe('derived defaults', () => {
  it.each([
    [100, 2000, 50],
    [5, 500, 10],
    [0, 1000, 0],
    [100, 0, 0],
  ])('throughput: count %p over %p ms gives ratePerSec %p', (count, durationMs, ratePerSec) => {
    expect(MetricsMessages.throughputMetric({ operation: 'o', count, durationMs }).payload.ratePerSec).toBe(ratePerSec);
  });

  it('throughput: no rate is derived from a count or duration that is not a number', () => {
    const fields = { operation: 'o', count: 1, durationMs: '1000' as never };
    const { type, payload } = MetricsMessages.throughputMetric(fields);
    expect(payload).not.toHaveProperty('ratePerSec');
    expect(validateCatalogueMessage('metrics', type, payload)).toMatch(/durationMs must be a number/);
  });

  it.each([
    ['info', false],
    ['warning', false],
    ['error', true],
    ['critical', true],
  ] as const)('system alert: severity %s gives requiresAck %p', (severity, requiresAck) => {
    const { payload } = AlertMessages.systemAlert({ severity, category: 'system', title: 't' });
    expect(payload.requiresAck).toBe(requiresAck);
  });

  it('system alert: alertId is 16 lowercase hex characters, new for each alert', () => {
    const ids = Array.from(
      { length: 50 },
      () => AlertMessages.systemAlert({ severity: 'info', category: 'system', title: 't' }).payload.alertId,
    );
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    [[], 0],
    [['n1'], 1],
    [['n1', 'n2', 'n3', 'n4'], 4],
  ])('cluster membership: activeNodes %p gives totalNodes %p', (activeNodes, totalNodes) => {
    const { payload } = LifecycleMessages.clusterMembership({ event: 'node_removed', affectedNodes: [], activeNodes });
    expect(payload.totalNodes).toBe(totalNodes);
  });

  it.each([
    [{}, 0],
    [{ info: 7 }, 7],
    [{ debug: 1, info: 2, warn: 3, error: 4, critical: 5 }, 15],
  ])('log summary: logCounts %p gives totalLogs %p', (logCounts, totalLogs) => {
    expect(LoggingMessages.logSummary({ timePeriod: 'h', logCounts }).payload.totalLogs).toBe(totalLogs);
  });

  it('log summary: a count that is not a number makes the total, and so the payload, invalid', () => {
    const { type, payload } = LoggingMessages.logSummary({ timePeriod: 'h', logCounts: { info: 'many' } as never });
    expect(payload.totalLogs).toBeNaN();
    expect(validateCatalogueMessage('logging', type, payload)).toMatch(/totalLogs must be a number/);
  });

  it('error analysis: firstSeen and lastSeen are the timestamp, given or not', () => {
    const given = DiagnosticsMessages.errorAnalysis({ errorType: 'E', errorMessage: 'm', timestamp: 5_000 }).payload;
    expect([given.firstSeen, given.lastSeen]).toEqual([5_000, 5_000]);
    const defaulted = DiagnosticsMessages.errorAnalysis({ errorType: 'E', errorMessage: 'm' }).payload;
    expect([defaulted.firstSeen, defaulted.lastSeen]).toEqual([defaulted.timestamp, defaulted.timestamp]);
  });

  it('alert ack: ackTimestamp is the time of the call', () => {
    const before = Date.now();
    const { ackTimestamp } = AlertMessages.alertAck({ alertId: 'a', ackBy: 'ops', timestamp: 1 }).payload;
    expect(ackTimestamp).toBeGreaterThanOrEqual(before);
    expect(ackTimestamp).toBeLessThanOrEqual(Date.now());
  });
});

describe('process lifecycle: pid or name', () => {
  const validate = (fields: Record<string, unknown>): string | undefined => {
    const { type, payload } = LifecycleMessages.processLifecycle({ event: 'started', ...fields });
    return validateCatalogueMessage('lifecycle', type, payload);
  };

  it.each([{ pid: 4242 }, { pid: '<0.90.0>' }, { name: 'worker' }, { pid: 1, name: 'worker' }])('accepts %p', (fields) =>
    expect(validate(fields)).toBeUndefined(),
  );

  it('refuses neither, naming both', () => {
    expect(validate({})).toMatch(/^process_lifecycle_event: pid .*; name /);
  });

  it.each([{ pid: Number.NaN }, { pid: '' }, { pid: {} }, { name: 7 }, { pid: 1, name: '' }])('refuses %p', (fields) =>
    expect(validate(fields)).toMatch(/^process_lifecycle_event: (pid|name) /),
  );
});
