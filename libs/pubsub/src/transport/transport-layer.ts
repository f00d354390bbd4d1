import type { ChannelName } from '../channels/channel-names.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import { PubSubSecurity } from '../security/pubsub-security.js';
import { BoundChannels } from './bound-channels.js';
import { ClusterTransport } from './cluster-transport.js';
import type { TransportDependencies, TransportLayer } from './transport-contract.js';
import { DEFAULT_OUTBOUND_TUNING } from './outbound-queue.js';
import { busChannel, DEFAULT_REDIS_URL, RedisBus } from './redis-bus.js';
import { RedisStreamsBackend } from './redis-streams/redis-streams-backend.js';
import { StreamGate, type ScriptRunner } from './redis-streams/stream-gate.js';
import { GATE_SCRIPTS } from './redis-streams/gate-scripts.js';
import { emptyTransportStats, type TransportStats } from './transport-stats.js';

export type { TransportStats } from './transport-stats.js';
export type { TransportAlert, TransportDependencies, TransportLayer } from './transport-contract.js';

/** The default: one node, nothing crosses process boundaries. */
export class LocalOnlyTransport implements TransportLayer {
  readonly transmit = undefined;
  readonly durable = undefined;

  constructor(private readonly deps: TransportDependencies) {}

  /** Nothing comes from other nodes, and the bus's state never changes. */
  bind(): void {}

  async start(): Promise<void> {}

  nodes(): string[] {
    return [this.deps.settings.nodeName];
  }

  stats(): TransportStats {
    return emptyTransportStats('memory', true);
  }

  async close(): Promise<void> {}
}

/** A stream entry carries the message's wire encoding plus a magic line and its node's name. */
const STREAM_ENTRY_OVERHEAD_BYTES = 1_024;

/**
 * Redis when configured (ioredis is loaded only then, at start), an in-process hub when given, else local only.
 * Redis is secure by default: without a secret it refuses to start unless `allowUnsigned` says so. Over Redis the
 * layer's `durable` is its Redis Streams backend; the channels, built next with it, are handed over by bind().
 */
export function createTransportLayer(deps: TransportDependencies): TransportLayer {
  const transport = deps.settings.transport;
  if (transport.type === 'redis') {
    const hasSecret = deps.security?.hasSecret() ?? deps.settings.secretKeys.length > 0;
    if (!hasSecret && !transport.allowUnsigned) throw new PubSubError('invalid_option', ERRORS.redisNeedsSecret);
    const bus = new RedisBus({
      url: transport.url,
      prefix: transport.prefix,
      logger: deps.logger,
      livenessTimeoutMs: deps.settings.heartbeatIntervalMs,
      scripts: GATE_SCRIPTS,
    });
    const { settings } = deps;
    const security = deps.security ?? new PubSubSecurity({ secretKeyBase: settings.secretKeys, messageMaxAgeMs: settings.messageMaxAgeMs });
    // Durable subscriptions of retained channels read Redis Streams; live delivery stays on the bus. A retained
    // channel's publications are appended only once it has a durable group, atomically with their bus frames.
    const run: ScriptRunner = (script, keys, args) => bus.runScript(script, keys, args);
    // The channels are built after the transport (they take its transmit and this backend): known from bind() on.
    const bound = new BoundChannels();
    const retention = (channel: ChannelName) => bound.channels.channel(channel).retention;
    const gate = new StreamGate({
      prefix: transport.prefix,
      nodeName: settings.nodeName,
      busChannel: busChannel(transport.prefix),
      security,
      run,
      publish: (frame) => bus.publish(frame),
      publishChecked: (watch, script, keys, args, frame, clear) => bus.publishChecked(watch, script, keys, args, frame, clear),
      checkedPublishes: () => bus.checkedPublishes,
      policyOf: (channel) => retention(channel)?.log.policy,
    });
    const durable = new RedisStreamsBackend({
      url: transport.url ?? DEFAULT_REDIS_URL,
      prefix: transport.prefix,
      nodeName: deps.settings.nodeName,
      security,
      logger: deps.logger,
      maxEntryBytes: deps.settings.maxMessageBytes + STREAM_ENTRY_OVERHEAD_BYTES,
      // As many as the bus may queue for the same outage.
      maxBuffered: deps.tuning?.maxPending ?? DEFAULT_OUTBOUND_TUNING.maxPending,
      appendFailed: (channel, count) => bound.channels.channel(channel).counters.countFailure('not_retained', count),
      gated: { gate, run, barrier: () => bus.barrier(), retention },
    });
    return new ClusterTransport({ ...deps, security }, bus, deps.tuning, durable, gate, bound);
  }
  if (deps.memoryHub !== undefined) return new ClusterTransport(deps, deps.memoryHub.connect(deps.settings.nodeName), deps.tuning);
  return new LocalOnlyTransport(deps);
}
