import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CHANNEL_NAMES } from '../../../libs/pubsub/src/channels/channel-names.js';
import {
  AlertMessages,
  CATALOGUE,
  HealthMessages,
  MetricsMessages,
  NodeHealth,
  SystemAlert,
  findPayloadClass,
  validateCatalogueMessage,
} from '../../../libs/pubsub/src/messages/index.js';

const CATALOGUE_TYPES = Object.values(CATALOGUE).flatMap((classes) => Object.keys(classes));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const nested of Object.values(value)) deepFreeze(nested);
    Object.freeze(value);
  }
  return value;
}

describe('the registry', () => {
  it('has the nine operational channels and no catalogue for events', () => {
    expect(Object.keys(CATALOGUE).sort()).toEqual(CHANNEL_NAMES.filter((name) => name !== 'events').sort());
    expect(CATALOGUE_TYPES).toHaveLength(36);
    expect(Object.isFrozen(CATALOGUE)).toBe(true);
    expect(Object.isFrozen(CATALOGUE.health)).toBe(true);
  });

  it('finds a payload class by channel and type only', () => {
    expect(findPayloadClass('health', 'node_health_updated')).toBe(NodeHealth);
    expect(findPayloadClass('alerts', 'node_health_updated')).toBeUndefined();
    expect(findPayloadClass('events', 'node_health_updated')).toBeUndefined();
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('does not mistake %s for a type', (type) => {
    expect(findPayloadClass('health', type)).toBeUndefined();
    expect(validateCatalogueMessage('health', type, {})).toBeUndefined();
  });
});

describe('validateCatalogueMessage', () => {
  it('lists every problem, prefixed with the type', () => {
    expect(validateCatalogueMessage('health', 'node_health_updated', { status: 'bogus', node: 42, timestamp: 1 })).toBe(
      'node_health_updated: node must be a string; ' + 'status must be one of the following values: healthy, degraded, unhealthy, unknown',
    );
  });

  it('lets a type that is not in the catalogue pass as it is', () => {
    expect(validateCatalogueMessage('health', 'my_own_event', null)).toBeUndefined();
    expect(validateCatalogueMessage('events', 'node_health_updated', { status: 'bogus' })).toBeUndefined();
  });

  it("does not validate a catalogue type of another channel against this one's catalogue", () => {
    expect(validateCatalogueMessage('alerts', 'node_health_updated', { status: 'bogus' })).toBeUndefined();
    const { type, payload } = AlertMessages.systemAlert({ severity: 'info', category: 'system', title: 't' });
    expect(validateCatalogueMessage('health', type, { ...payload, severity: 'bogus' })).toBeUndefined();
    expect(validateCatalogueMessage('alerts', type, { ...payload, severity: 'bogus' })).toMatch(/severity must be/);
  });

  it.each([null, undefined, 0, 'payload', true, [], [{ status: 'healthy' }]])('refuses the payload %p', (payload) => {
    expect(validateCatalogueMessage('health', 'node_health_updated', payload)).toBe('node_health_updated: payload must be an object');
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...CHANNEL_NAMES), fc.string()),
        fc.oneof(fc.constantFrom(...CATALOGUE_TYPES), fc.string()),
        fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }),
        (channel, type, payload) => {
          const verdict = validateCatalogueMessage(channel as never, type, payload);
          expect(verdict === undefined || verdict.startsWith(`${type}: `)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('refuses, without throwing, a payload whose field cannot even be read', () => {
    const hostile = Object.defineProperty({}, 'status', {
      enumerable: true,
      get() {
        throw new Error('no reading me');
      },
    });
    expect(validateCatalogueMessage('health', 'node_health_updated', hostile)).toBe(
      'node_health_updated: payload could not be validated (no reading me)',
    );
  });

  it('neither mutates nor strips the payload, plain or instance', () => {
    const { payload } = HealthMessages.nodeHealth({ status: 'healthy', node: 'n1', checks: { nested: [1, 2] } });
    const plain = deepFreeze({ ...payload, status: 'bogus', another: 'kept' });
    const plainBefore = structuredClone(plain);
    const instanceBefore = { ...payload };
    expect(validateCatalogueMessage('health', 'node_health_updated', plain)).toMatch(/status/);
    expect(validateCatalogueMessage('health', 'node_health_updated', payload)).toBeUndefined();
    expect(plain).toEqual(plainBefore);
    expect({ ...payload }).toEqual(instanceBefore);
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
  });

  it('accepts a cyclic payload, which in-memory delivery carries fine', () => {
    const metadata: Record<string, unknown> = {};
    metadata.self = metadata;
    const { type, payload } = AlertMessages.systemAlert({ severity: 'info', category: 'system', title: 't', metadata });
    expect(validateCatalogueMessage('alerts', type, payload)).toBeUndefined();
    expect(validateCatalogueMessage('alerts', type, { ...payload })).toBeUndefined();
  });

  it('cannot be fooled by an own constructor or __proto__ key', () => {
    const { payload } = AlertMessages.systemAlert({ severity: 'bogus' as never, category: 'system', title: 't' });
    const withConstructor = Object.assign(payload, { constructor: Object });
    expect(withConstructor).toBeInstanceOf(SystemAlert);
    expect(validateCatalogueMessage('alerts', 'system_alert', withConstructor)).toMatch(/severity must be/);
    const withProto = JSON.parse('{"__proto__": {"severity": "info"}, "category": "system", "title": "t"}') as unknown;
    expect(validateCatalogueMessage('alerts', 'system_alert', withProto)).toMatch(/severity should not be null/);
  });
});

describe('latency percentiles', () => {
  const latency = (percentiles: unknown): string | undefined => {
    const { type, payload } = MetricsMessages.latencyMetric({
      operation: 'o',
      latencyMs: 2,
      percentile: 'p99',
      node: 'n',
      percentiles,
    } as never);
    return validateCatalogueMessage('metrics', type, payload);
  };

  it('accepts finite numbers keyed by percentile names, as the metrics broadcaster sends them', () => {
    expect(latency({ p50: 1, p95: 2, p99: 2, max: 9, min: 0, avg: 1.5 })).toBeUndefined();
    expect(latency({})).toBeUndefined();
    expect(latency(undefined)).toBeUndefined();
  });

  it.each([[{ p42: 1 }], [{ p50: Number.NaN }], [{ p99: '3' }], [[1, 2]], ['p99']])('refuses %p', (percentiles) => {
    expect(latency(percentiles)).toMatch(
      /^latency_metric: percentiles must be an object of finite numbers keyed by p50, p95, p99, max, min, avg$/,
    );
  });
});
