import { expect } from '@jest/globals';
import { completeCatalogueMessage } from '../../../libs/pubsub/src/messages/catalogue.js';
import type { MessageFactory, OperationalChannel } from '../../../libs/pubsub/src/messages/index.js';

/** The node name of the application the specs publish from, so node defaults are predictable. */
export const TEST_NODE = 'unit-test-node';

/**
 * One catalogue message type as CATALOGUE.md describes it, written out independently of the implementation so
 * that the table, not the code, is the reference.
 */
export interface MessageCase {
  readonly factory: MessageFactory<string, object, never, object>;
  readonly className: string;
  readonly channel: OperationalChannel;
  readonly type: string;
  /** The required fields without a default, with valid values (plus a few optional ones worth keeping). */
  readonly valid: Readonly<Record<string, unknown>>;
  /** Fields whose absence makes the payload invalid; `timestamp` is added by the spec. */
  readonly required: readonly string[];
  readonly enums?: readonly string[];
  /** Fields that must be finite numbers; `timestamp` is added by the spec. */
  readonly numbers?: readonly string[];
  /**
   * Every default filled when the field is not given, no more, no less: by the factory, or on publish for the
   * application's defaults (node, nodesReporting), which name TEST_NODE.
   */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Valid explicit values for defaulted fields, which must win over the defaults. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

export function hexId(prefix = ''): unknown {
  return expect.stringMatching(new RegExp(`^${prefix}[0-9a-f]{16}$`));
}

/** Calls a factory with anything at all, as untyped JavaScript callers can. */
export function build(factory: MessageCase['factory'], fields: unknown): { type: string; payload: object } {
  return factory(fields as never);
}

/** The payload as an application named TEST_NODE publishes it: the factory's, completed with the node name. */
export function publishable(row: MessageCase, fields: unknown): Record<string, unknown> {
  const { payload } = build(row.factory, fields);
  return completeCatalogueMessage(row.channel, row.type, payload, TEST_NODE) as Record<string, unknown>;
}
