// Issue 7 item 13: every catalogue factory, and the publish path behind it, survives hostile input without a throw.
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import { catalogueEntries } from '../../libs/pubsub/src/messages/catalogue-registry.js';
import {
  CATALOGUE_HOOKS,
  completeCatalogueMessage,
  isCatalogueMessage,
  validateCatalogueMessage,
} from '../../libs/pubsub/src/messages/catalogue.js';
import {
  AlertMessages,
  AuditMessages,
  DiagnosticsMessages,
  HealthMessages,
  LifecycleMessages,
  LoggingMessages,
  MetricsMessages,
  SecurityMessages,
  SystemMessages,
  type CatalogueMessageType,
  type MessageFactory,
} from '../../libs/pubsub/src/messages/index.js';
import { payloadFields } from '../../libs/pubsub/src/messages/payload-validation.js';
import { anyValue } from '../support/arbitraries.js';
import { recordFigure } from './support/figures.js';

type AnyFactory = MessageFactory<string, object, never, object>;

const FACTORIES: readonly AnyFactory[] = [
  SystemMessages,
  HealthMessages,
  MetricsMessages,
  LifecycleMessages,
  AlertMessages,
  AuditMessages,
  DiagnosticsMessages,
  SecurityMessages,
  LoggingMessages,
].flatMap((group) => Object.values(group) as AnyFactory[]);

const CHANNEL_OF = new Map(catalogueEntries().map((entry) => [entry.type, entry.channel]));
const FIELD_NAMES = [...new Set(FACTORIES.flatMap((factory) => [...payloadFields(factory.payloadClass)]))];

// ---- hostile values ----

const boom = (): never => {
  throw new Error('hostile trap');
};

/** A handler whose every trap throws: reading, listing, typing, even asking for the prototype. */
const THROWING_TRAPS: ProxyHandler<object> = {
  get: boom,
  set: boom,
  has: boom,
  ownKeys: boom,
  getOwnPropertyDescriptor: boom,
  getPrototypeOf: boom,
  setPrototypeOf: boom,
  defineProperty: boom,
  deleteProperty: boom,
  isExtensible: boom,
  preventExtensions: boom,
  apply: boom,
  construct: boom,
};

function revoked(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** Lists its keys fine, then throws when one is read: what a getter-based ORM object with a bug does. */
function listsButThrowsOnRead(fields: readonly string[]): object {
  const target = Object.fromEntries(fields.map((field) => [field, 'x']));
  return new Proxy(target, { get: boom, getOwnPropertyDescriptor: (t, key) => Reflect.getOwnPropertyDescriptor(t, key) });
}

/** Keys whose getters throw, next to readable ones. */
function withThrowingGetters(readable: Record<string, unknown>, throwing: readonly string[]): object {
  const object = { ...readable };
  for (const field of throwing) Object.defineProperty(object, field, { enumerable: true, get: boom });
  return object;
}

/** A list whose ownKeys trap reports the same key twice (an invariant violation Object.keys rejects). */
const duplicateKeys = (): object => new Proxy({}, { ownKeys: () => ['status', 'status'] });

function deeplyNested(depth: number): object {
  let nested: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) nested = { nested };
  return nested;
}

// fast-check inspects the values it generates, which hostile ones would not survive: it generates recipes,
// and each property run builds its hostile values fresh from them.
type Recipe = () => unknown;
const recipe = (build: Recipe): fc.Arbitrary<Recipe> => fc.constant(build);
const plain =
  (value: unknown): Recipe =>
  () =>
    value;

const hostileValue: fc.Arbitrary<Recipe> = fc.oneof(
  recipe(() => new Proxy({}, THROWING_TRAPS)),
  recipe(() => new Proxy([], THROWING_TRAPS)),
  recipe(() => new Proxy(() => undefined, THROWING_TRAPS)),
  recipe(() => revoked({})),
  recipe(() => revoked([])),
  recipe(() => revoked(() => undefined)),
  recipe(duplicateKeys),
  fc.subarray(FIELD_NAMES, { minLength: 1, maxLength: 4 }).map(
    (fields): Recipe =>
      () =>
        listsButThrowsOnRead(fields),
  ),
  fc.subarray(FIELD_NAMES, { minLength: 1, maxLength: 4 }).map(
    (fields): Recipe =>
      () =>
        withThrowingGetters({}, fields),
  ),
  fc
    .constantFrom<unknown[]>(
      [Number.NaN],
      [-0],
      [Number.POSITIVE_INFINITY],
      [Number.MAX_VALUE],
      [2n ** 128n],
      [Symbol('hostile')],
      ['x'.repeat(1_000_000)],
      ['\u0000\u001b[31m\ud800'],
    )
    .map(([value]) => plain(value)),
  recipe(() => new Date(Number.NaN)),
  recipe(() => Object.create(null)),
  recipe(() => new Array(2 ** 32 - 1)),
  fc.integer({ min: 100, max: 3_000 }).map(
    (depth): Recipe =>
      () =>
        deeplyNested(depth),
  ),
  anyValue.map(plain),
);

const SHAPES = ['plain', 'null-prototype', 'forwarding-proxy', 'throwing-getters'] as const;

/** A field map in which each value may be hostile, on a plain, null-prototype or Proxy-wrapped object. */
const hostileFields: fc.Arbitrary<Recipe> = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...FIELD_NAMES, '__proto__', 'constructor', 'toString'), hostileValue, { maxKeys: 8 }),
    fc.subarray(FIELD_NAMES, { maxLength: 3 }),
    fc.constantFrom(...SHAPES),
  )
  .map(([recipes, throwing, shape]): Recipe => () => {
    const fields: Record<string, unknown> = {};
    for (const [field, build] of Object.entries(recipes)) {
      Object.defineProperty(fields, field, { value: build(), enumerable: true, writable: true, configurable: true });
    }
    if (shape === 'null-prototype') return Object.assign(Object.create(null) as object, fields);
    if (shape === 'forwarding-proxy') return new Proxy(fields, {});
    if (shape === 'throwing-getters') return withThrowingGetters(fields, throwing);
    return fields;
  });

// ---- the run ----

const set = new ChannelSet({ nodeName: 'fuzz-node', logger: silentLogger, wiring: CATALOGUE_HOOKS });

interface Tally {
  inputs: number;
  throws: string[];
  accepted: number;
  refused: number;
}

const tally: Tally = { inputs: 0, throws: [], accepted: 0, refused: 0 };

/** Runs one step; a throw is counted (with where it happened), never propagated. */
function attempt<T>(where: string, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    tally.throws.push(`${where}: ${error instanceof Error ? error.message : typeof error}`);
    return undefined;
  }
}

/** Builds, completes, validates, narrows and publishes one factory's message from `input`. */
function tryAll(factory: AnyFactory, input: unknown): { ok: boolean; reason?: string } | undefined {
  tally.inputs++;
  const channel = CHANNEL_OF.get(factory.type)!;
  const message = attempt(`${factory.type} factory`, () => factory(input as never));
  if (message === undefined) return undefined;
  const completed = attempt(`${factory.type} complete`, () => completeCatalogueMessage(channel, factory.type, message.payload, 'n'));
  attempt(`${factory.type} validate`, () => validateCatalogueMessage(channel, factory.type, completed));
  attempt(`${factory.type} guard`, () => isCatalogueMessage(message, factory.type as CatalogueMessageType));
  const result = attempt(`${factory.type} publish`, () => set.channel(channel).publish('fuzz:topic', message));
  if (result !== undefined) {
    if (result.ok) tally.accepted++;
    else tally.refused++;
  }
  return result;
}

afterAll(() => {
  recordFigure('hostile inputs tried', tally.inputs);
});

describe('catalogue factories under hostile input', () => {
  it('never throw when the whole input is hostile, and publishing refuses what they built', () => {
    fc.assert(
      fc.property(hostileValue, (build) => {
        for (const factory of FACTORIES) {
          const result = tryAll(factory, build());
          // Every type has a required field without a default, which hostile input cannot supply.
          expect(result).toEqual(expect.objectContaining({ ok: false, reason: 'invalid_message' }));
        }
      }),
      { numRuns: 150 },
    );
    expect(tally.throws.slice(0, 5)).toEqual([]);
  });

  it('never throw when fields are hostile, and publishing only accepts what validates', () => {
    fc.assert(
      fc.property(hostileFields, (build) => {
        for (const factory of FACTORIES) {
          const result = tryAll(factory, build());
          expect(result === undefined || result.ok || result.reason === 'invalid_message').toBe(true);
        }
      }),
      { numRuns: 150 },
    );
    expect(tally.throws.slice(0, 5)).toEqual([]);
  });

  it('kept count: zero throws over every hostile input tried', () => {
    expect(tally.inputs).toBeGreaterThan(10_000);
    expect(tally.throws).toHaveLength(0);
    // Both outcomes occurred, so the run exercised acceptance as well as refusal.
    expect(tally.refused).toBeGreaterThan(0);
  });
});

describe('what a factory could not read', () => {
  it('is left out, and validation names the missing required field', () => {
    const input = withThrowingGetters({ node: 'n1' }, ['status']);
    const { type, payload } = HealthMessages.nodeHealth(input as never);
    expect(payload).not.toHaveProperty('status');
    expect(payload).toMatchObject({ node: 'n1', checks: {} });
    expect(validateCatalogueMessage('health', type, payload)).toMatch(/^node_health_updated: status should not be null/);
  });

  it('leaves out only the unreadable field: a revoked proxy in one field, a readable value in the next', () => {
    const { payload } = LifecycleMessages.clusterMembership({
      event: 'node_added',
      affectedNodes: ['n2'],
      activeNodes: revoked([]),
    } as never);
    // The field itself is a value (a revoked proxy) and is kept; the default derived from it is left out.
    expect(payload).not.toHaveProperty('totalNodes');
    expect(payload.affectedNodes).toEqual(['n2']);
    expect(set.channel('lifecycle').publish('cluster_membership', { type: 'cluster_membership_changed', payload })).toEqual(
      expect.objectContaining({ ok: false, reason: 'invalid_message' }),
    );
  });

  it('gives an empty payload for a revoked proxy or a proxy whose every trap throws', () => {
    for (const input of [revoked({}), new Proxy({}, THROWING_TRAPS)]) {
      const { payload } = AlertMessages.systemAlert(input as never);
      expect(Object.keys(payload).sort()).toEqual(['alertId', 'metadata', 'requiresAck', 'timestamp']);
    }
  });
});
