import fc from 'fast-check';
import { CHANNEL_NAMES } from '../../../libs/pubsub/src/channels/channel-names.js';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';

export const NOW = 1_700_000_000_000;
export const MAX_AGE_MS = 300_000;
export const KEY = 'current-secret-key-base-0123456789abcdef';
export const OLD_KEY = 'previous-secret-key-base-fedcba9876543210';

let sequence = 0;

/** A valid message with a unique id, stamped at NOW unless overridden. */
export function aMessage(overrides: Partial<PubSubMessage> = {}): PubSubMessage {
  sequence += 1;
  return {
    id: `msg-${sequence}`,
    channel: 'health',
    topic: 'cluster:health',
    type: 'node_health_updated',
    payload: { node: 'node-a', status: 'healthy', checks: [1, 2, 3] },
    timestamp: NOW,
    node: 'node-a',
    ...overrides,
  };
}

/** What a receiver gets from the transport. */
export function overTheWire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

const segment = fc.stringMatching(/^[a-z0-9_.-]{1,12}$/);

export const arbitraryTopic = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join(':'));

/** One arbitrary per message field: whole messages, or a replacement value for one field of a signed message. */
export const arbitraryMessageField: { [F in keyof PubSubMessage]: fc.Arbitrary<PubSubMessage[F]> } = {
  id: fc.string({ minLength: 1, maxLength: 40 }),
  channel: fc.constantFrom(...CHANNEL_NAMES),
  topic: arbitraryTopic,
  type: fc.string({ minLength: 1, maxLength: 30 }),
  payload: fc.jsonValue(),
  timestamp: fc.integer({ min: NOW - MAX_AGE_MS, max: NOW + MAX_AGE_MS }),
  node: fc.string({ maxLength: 20 }),
};

export const arbitraryMessage: fc.Arbitrary<PubSubMessage> = fc.record(arbitraryMessageField);
