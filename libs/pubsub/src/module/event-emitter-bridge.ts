import type { ModuleRef } from '@nestjs/core';
import type { ChannelSet } from '../channels/channel-set.js';
import { isChannelName, type ChannelName } from '../channels/channel-names.js';
import type { PubSubMessage, Subscription } from '../channels/channel.types.js';
import { describeError } from '../describe-error.js';
import { ERRORS } from '../error-messages.js';
import { exportOf, loadPeer, type OptionalPeer } from '../load-peer.js';
import { PubSubError } from '../pubsub-error.js';

export const EVENT_EMITTER_PEER: OptionalPeer = {
  specifier: '@nestjs/event-emitter',
  range: '^3.0.0 || ^12.0.0',
  feature: 'the eventEmitter option',
};

/** The part of EventEmitter2 the bridge uses. */
export interface BridgeEmitter {
  readonly delimiter?: string;
  emitAsync(event: string, ...values: unknown[]): Promise<unknown[]>;
}

/**
 * The EventEmitter2 event name of a message: the channel, then the topic's segments, joined by the emitter's
 * delimiter ('.' unless configured): `cluster:health` on health is `health.cluster.health`. A topic
 * segment that contains the delimiter is split by EventEmitter2's wildcard matching like any other.
 */
export function bridgedEventName(channel: ChannelName, topic: string, delimiter = '.'): string {
  return [channel, ...topic.split(':')].join(delimiter);
}

/**
 * Re-emits every message of the given channels on the application's EventEmitter2, through one subscription
 * per channel (pattern '*'): asynchronous like any subscriber, FIFO per channel, its mailbox bounded; a
 * listener error that reaches the emitter (`@OnEvent(..., { suppressErrors: false })`) is a handler error of
 * that subscription, counted and logged. `ready` holds the first deliveries until @OnEvent listeners are
 * registered (EventEmitterModule registers them at bootstrap, after PubSub has subscribed).
 */
export function bridgeChannels(
  channels: ChannelSet,
  names: readonly ChannelName[],
  emitter: BridgeEmitter,
  ready: Promise<void> = Promise.resolve(),
): Subscription[] {
  const delimiter = typeof emitter.delimiter === 'string' && emitter.delimiter !== '' ? emitter.delimiter : '.';
  return [...new Set(names)].map((name) =>
    channels.channel(name).subscribe('*', async (message: PubSubMessage) => {
      await ready;
      await emitter.emitAsync(bridgedEventName(message.channel, message.topic, delimiter), message);
    }),
  );
}

/** `eventEmitter: { channels }` checked at start-up: known channel names, each once. */
export function resolveEventEmitterChannels(option: unknown): ChannelName[] {
  if (option === undefined) return [];
  const list = (option as { channels?: unknown } | null)?.channels;
  if (!Array.isArray(list) || !list.every(isChannelName)) {
    throw new PubSubError('invalid_option', ERRORS.invalidOption('eventEmitter', ERRORS.eventEmitterChannels(list ?? option)));
  }
  return [...new Set(list)];
}

interface ReadinessWatcher {
  waitUntilReady(): Promise<void>;
}

/**
 * Finds the application's EventEmitter2 (loading @nestjs/event-emitter only now that the option asks for it)
 * and bridges the channels. Start-up errors name the package, or EventEmitterModule.forRoot() when the
 * package is there but the application does not import the module.
 */
export async function startEventEmitterBridge(
  channels: ChannelSet,
  names: readonly ChannelName[],
  moduleRef: ModuleRef,
  peer: OptionalPeer = EVENT_EMITTER_PEER,
): Promise<Subscription[]> {
  const loaded = await loadPeer<unknown>(peer);
  const emitterToken = exportOf<abstract new (...args: never[]) => BridgeEmitter>(loaded, 'EventEmitter2');
  if (emitterToken === undefined) {
    throw new PubSubError(
      'missing_peer',
      ERRORS.peerWithoutExport(EVENT_EMITTER_PEER.specifier, 'EventEmitter2', EVENT_EMITTER_PEER.range),
    );
  }
  let emitter: BridgeEmitter;
  try {
    emitter = moduleRef.get(emitterToken, { strict: false });
  } catch (error) {
    throw new PubSubError('missing_module', ERRORS.eventEmitterModuleMissing(describeError(error)), { cause: error });
  }
  return bridgeChannels(channels, names, emitter, readiness(loaded, moduleRef));
}

/** EventEmitterModule's readiness watcher, where the installed version has one. */
function readiness(loaded: unknown, moduleRef: ModuleRef): Promise<void> {
  const watcherToken = exportOf<abstract new (...args: never[]) => ReadinessWatcher>(loaded, 'EventEmitterReadinessWatcher');
  if (watcherToken === undefined) return Promise.resolve();
  try {
    // A failed registration is EventEmitterModule's to report; the bridge delivers regardless.
    return moduleRef
      .get(watcherToken, { strict: false })
      .waitUntilReady()
      .catch(() => undefined);
  } catch {
    return Promise.resolve();
  }
}
