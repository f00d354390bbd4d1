import { MAX_TIMER_MS } from '../delivery/drain-timeout.js';
import type { MailboxSettings } from '../delivery/mailbox.js';
import { describeError } from '../describe-error.js';
import type { DurableSettings } from '../durable/durable-subscription.js';
import type { ReplaySelector } from '../durable/replay-selector.js';
import { ERRORS, show } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import type { ChannelName } from './channel-names.js';
import type { SubscribeOptions } from './channel.types.js';

export const DEFAULT_ACK_TIMEOUT_MS = 30_000;
export const MIN_DEFAULT_MAX_DELIVERIES = 5;

export interface RetentionRequests {
  replay?: ReplaySelector;
  durable?: DurableSettings;
}

// Read after checkedSettings, which already proved the options object readable and the mailbox fields valid.
export function checkedRetentionRequests(
  channel: ChannelName,
  options: SubscribeOptions | undefined,
  retained: boolean,
  mailbox: Pick<MailboxSettings, 'concurrency' | 'retries' | 'retryDelayMs' | 'retryMaxDelayMs'>,
): RetentionRequests {
  if (options === undefined || options === null) return {};
  let given: Pick<SubscribeOptions, 'replay' | 'durable' | 'ackTimeoutMs' | 'maxDeliveries'>;
  try {
    const { replay, durable, ackTimeoutMs, maxDeliveries } = options;
    given = { replay, durable, ackTimeoutMs, maxDeliveries };
  } catch (error) {
    throw invalid(channel, ERRORS.unreadableSubscribeOptions(describeError(error)));
  }
  const { replay, durable } = given;
  if (replay === undefined && durable === undefined) {
    refuseDurableOnly(channel, given);
    return {};
  }
  if (replay !== undefined && !isReplaySelector(replay)) throw invalid(channel, ERRORS.invalidReplay(replay));
  if (durable !== undefined && (typeof durable !== 'string' || durable.length === 0)) {
    throw invalid(channel, ERRORS.invalidDurableName(durable));
  }
  if (!retained) {
    throw new PubSubError(
      'invalid_subscribe_options',
      ERRORS.needsRetention(channel, durable !== undefined ? `durable: '${durable}'` : 'replay'),
    );
  }
  const requests: RetentionRequests = {};
  if (replay !== undefined) requests.replay = copyOf(replay);
  if (durable === undefined) {
    refuseDurableOnly(channel, given);
    return requests;
  }
  const settings: DurableSettings = {
    durable,
    concurrency: mailbox.concurrency,
    ackTimeoutMs: given.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
    maxDeliveries: given.maxDeliveries ?? Math.max(mailbox.retries + 1, MIN_DEFAULT_MAX_DELIVERIES),
    // Validated with the mailbox settings: the backoff applies to every subscription.
    retryDelayMs: mailbox.retryDelayMs,
    retryMaxDelayMs: mailbox.retryMaxDelayMs,
    replay: requests.replay,
  };
  const problem = describeInvalidDurable(settings);
  if (problem !== undefined) throw invalid(channel, problem);
  requests.durable = settings;
  return requests;
}

// Meaningless without acknowledgements: refusing them says so rather than ignoring them.
const DURABLE_ONLY = ['ackTimeoutMs', 'maxDeliveries'] as const;

function refuseDurableOnly(channel: ChannelName, given: Partial<Record<(typeof DURABLE_ONLY)[number], unknown>>): void {
  for (const option of DURABLE_ONLY) if (given[option] !== undefined) throw invalid(channel, ERRORS.durableOnly(option));
}

function describeInvalidDurable(settings: DurableSettings): string | undefined {
  if (!Number.isInteger(settings.ackTimeoutMs) || settings.ackTimeoutMs < 1 || settings.ackTimeoutMs > MAX_TIMER_MS) {
    return `ackTimeoutMs must be an integer from 1 to ${MAX_TIMER_MS}, got ${show(settings.ackTimeoutMs)}`;
  }
  if (!Number.isInteger(settings.maxDeliveries) || settings.maxDeliveries < 1) {
    return `maxDeliveries must be a positive integer, got ${show(settings.maxDeliveries)}`;
  }
  return undefined;
}

function isReplaySelector(value: unknown): value is ReplaySelector {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { sinceMs, sinceId } = value as { sinceMs?: unknown; sinceId?: unknown };
  if (sinceMs !== undefined && !Number.isFinite(sinceMs)) return false;
  if (sinceId !== undefined && (typeof sinceId !== 'string' || sinceId.length === 0)) return false;
  return true;
}

// The caller's object may change after subscribe; the subscription keeps what it was given.
function copyOf(replay: ReplaySelector): ReplaySelector {
  if (typeof replay === 'number') return replay;
  const copy: { sinceMs?: number; sinceId?: string } = {};
  if (replay.sinceMs !== undefined) copy.sinceMs = replay.sinceMs;
  if (replay.sinceId !== undefined) copy.sinceId = replay.sinceId;
  return copy;
}

function invalid(channel: ChannelName, problem: string): PubSubError {
  return new PubSubError('invalid_subscribe_options', ERRORS.invalidSubscribeOptions(channel, problem));
}
