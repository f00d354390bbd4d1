import { MAX_TIMER_MS } from '../delivery/drain-timeout.js';
import type { MailboxSettings } from '../delivery/mailbox.js';
import { DEFAULT_RETRY_MAX_DELAY_MS } from '../delivery/retry-backoff.js';
import { describeError } from '../describe-error.js';
import { ERRORS, show } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import { describeInvalidPattern } from '../routing/topic-grammar.js';
import type { ChannelName } from './channel-names.js';
import type { OverflowPolicy, SubscribeOptions } from './channel.types.js';

// What subscribe (and observe) are given is a programming error when wrong: it throws a PubSubError with a
// code, never a TypeError or RangeError from reading it, whatever it is (null, a Proxy, a throwing getter).

export function checkedPatterns(channel: ChannelName, pattern: string | string[]): string[] {
  let patterns: unknown[];
  try {
    patterns = Array.isArray(pattern) ? [...(pattern as unknown[])] : [pattern];
  } catch (error) {
    throw new PubSubError('invalid_pattern', ERRORS.unreadablePatterns(channel, describeError(error)));
  }
  if (patterns.length === 0) throw new PubSubError('invalid_pattern', ERRORS.noPatterns(channel));
  for (const candidate of patterns) {
    const problem = describeInvalidPattern(candidate);
    if (problem !== undefined) throw new PubSubError('invalid_pattern', ERRORS.invalidPattern(candidate, channel, problem));
  }
  return patterns as string[];
}

export function checkedSettings(
  channel: ChannelName,
  options: SubscribeOptions | undefined,
  defaults: { mailboxSize: number; overflow: OverflowPolicy },
): MailboxSettings {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') {
    throw new PubSubError(
      'invalid_subscribe_options',
      ERRORS.invalidSubscribeOptions(channel, ERRORS.subscribeOptionsNotAnObject(options)),
    );
  }
  let settings: MailboxSettings;
  try {
    settings = {
      mailboxSize: options.mailboxSize ?? defaults.mailboxSize,
      overflow: options.overflow ?? defaults.overflow,
      concurrency: options.concurrency ?? 1,
      retries: options.retries ?? 0,
      retryDelayMs: options.retryDelayMs ?? 0,
      retryMaxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS,
    };
  } catch (error) {
    throw new PubSubError(
      'invalid_subscribe_options',
      ERRORS.invalidSubscribeOptions(channel, ERRORS.unreadableSubscribeOptions(describeError(error))),
    );
  }
  const problem = describeInvalidSettings(settings);
  if (problem !== undefined) throw new PubSubError('invalid_subscribe_options', ERRORS.invalidSubscribeOptions(channel, problem));
  return settings;
}

function describeInvalidSettings(settings: MailboxSettings): string | undefined {
  if (!Number.isInteger(settings.mailboxSize) || settings.mailboxSize < 1)
    return `mailboxSize must be a positive integer, got ${show(settings.mailboxSize)}`;
  if (settings.overflow !== 'drop-oldest' && settings.overflow !== 'drop-newest')
    return `overflow must be 'drop-oldest' or 'drop-newest', got ${show(settings.overflow)}`;
  if (!Number.isInteger(settings.concurrency) || settings.concurrency < 1)
    return `concurrency must be a positive integer, got ${show(settings.concurrency)}`;
  if (!Number.isInteger(settings.retries) || settings.retries < 0)
    return `retries must be a non-negative integer, got ${show(settings.retries)}`;
  if (!isDelay(settings.retryDelayMs))
    return `retryDelayMs must be an integer from 0 to ${MAX_TIMER_MS}, got ${show(settings.retryDelayMs)}`;
  if (!isDelay(settings.retryMaxDelayMs))
    return `retryMaxDelayMs must be an integer from 0 to ${MAX_TIMER_MS}, got ${show(settings.retryMaxDelayMs)}`;
  return undefined;
}

// A timer takes at most MAX_TIMER_MS; a longer wait would fire at once.
function isDelay(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TIMER_MS;
}
