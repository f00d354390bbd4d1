import { DeliveryScheduler, type SchedulerLimits } from '../delivery/delivery-scheduler.js';
import { describeError } from '../describe-error.js';
import type { CounterListener } from '../delivery/channel-counters.js';
import type { PubSubLogger } from '../delivery/pubsub-logger.js';
import { drainTimeoutOf } from '../delivery/drain-timeout.js';
import { ThrottledLog } from '../delivery/throttled-log.js';
import type { Channel } from './channel.js';
import { CHANNEL_CLASSES } from './channel-classes.js';
import type { ChannelHooks, ChannelInstruments, ChannelWiring } from './channel-context.js';
import { CHANNEL_NAMES, type ChannelName } from './channel-names.js';
import type { ChannelStats, OverflowPolicy, PubSubMessage } from './channel.types.js';
import { CoarseClock } from './coarse-clock.js';
import { MessageIdSource, SubscriptionIdSource } from './message-ids.js';
import type { RetentionPolicy } from '../durable/durable-backend.js';
import { MemoryDurableBackend } from '../durable/memory-durable-backend.js';
import { retentionPolicyOf } from '../durable/retention-defaults.js';

export const DEAD_LETTER_TYPE = 'dead_letter';

export interface ChannelSetOptions {
  nodeName: string;
  logger: PubSubLogger;
  defaults?: Partial<Record<ChannelName, { mailboxSize?: number; overflow?: OverflowPolicy; retention?: Partial<RetentionPolicy> }>>;
  scheduler?: Partial<SchedulerLimits>;
  /** The collaborators known when the set is built: catalogue checks, the transport's way out, the durable backend. */
  wiring?: ChannelWiring;
}

export interface DeadLetterPayload {
  message: PubSubMessage;
  error: string;
  attempts: number;
  subscription: string;
}

/**
 * The ten channels of one application, sharing one scheduler and one set of hooks. Pure: the composition root
 * (core/pubsub-core.ts) builds one per application, handing it its collaborators (`wiring`); only the optional
 * instruments are added later, through instrument().
 */
export class ChannelSet {
  /** What every channel is wired to; fixed from construction except the instruments (see instrument()). */
  readonly hooks: ChannelHooks;
  private readonly instruments: ChannelInstruments;
  private readonly byName = new Map<ChannelName, Channel>();
  private readonly log: ThrottledLog;
  private readonly memoryDurable: MemoryDurableBackend;

  constructor(readonly options: ChannelSetOptions) {
    const scheduler = new DeliveryScheduler(CHANNEL_NAMES, options.scheduler);
    const ids = new MessageIdSource();
    const subscriptionIds = new SubscriptionIdSource();
    const clock = new CoarseClock();
    this.log = new ThrottledLog(options.logger);
    const wiring = options.wiring ?? {};
    this.memoryDurable = new MemoryDurableBackend((name) => this.channel(name).retention?.log);
    const hooks: ChannelHooks & ChannelInstruments = {
      complete: wiring.complete,
      validate: wiring.validate,
      checkedTypes: wiring.checkedTypes,
      outbound: wiring.outbound,
      transmit: wiring.transmit,
      deadLetter: (message, error, attempts, subscription) => this.publishDeadLetter(message, error, attempts, subscription),
      durable: wiring.durable ?? this.memoryDurable,
      propagate: undefined,
      wrapHandler: undefined,
    };
    // The same object, writable here only in its two instrument fields.
    this.hooks = hooks;
    this.instruments = hooks;
    for (const name of CHANNEL_NAMES) {
      const { mailboxSize = 10_000, overflow = 'drop-oldest', retention } = options.defaults?.[name] ?? {};
      const defaults = { mailboxSize, overflow };
      const policy = retentionPolicyOf(name, retention);
      const context = {
        nodeName: options.nodeName,
        scheduler,
        log: this.log,
        ids,
        subscriptionIds,
        clock,
        defaults,
        retention: policy,
        hooks: this.hooks,
      };
      this.byName.set(name, new CHANNEL_CLASSES[name](context));
    }
  }

  /**
   * Installs the optional instruments (tracing's propagate, metrics' and tracing's wrapHandler): the one way they
   * reach the channels, owned by RuntimeObservability. Subscriptions made before keep their handlers unwrapped.
   */
  instrument(instruments: ChannelInstruments): void {
    this.instruments.propagate = instruments.propagate;
    this.instruments.wrapHandler = instruments.wrapHandler;
  }

  uninstrument(): void {
    this.instrument({ propagate: undefined, wrapHandler: undefined });
  }

  get nodeName(): string {
    return this.options.nodeName;
  }

  channel(name: ChannelName): Channel {
    return this.byName.get(name)!;
  }

  channels(): Channel[] {
    return [...this.byName.values()];
  }

  stats(): ChannelStats[] {
    return this.channels().map((channel) => channel.stats());
  }

  onCount(listener: CounterListener | undefined): void {
    for (const channel of this.byName.values()) channel.counters.listen(listener);
  }

  /**
   * True once no channel has work left; dead letters can move work between channels, hence the loop. Same
   * timeout rules as Channel.drain.
   */
  async drain(timeoutMs?: number): Promise<boolean> {
    const deadline = Date.now() + drainTimeoutOf(timeoutMs, this.log);
    for (;;) {
      const busy = this.channels().filter((channel) => channel.counters.outstanding > 0);
      if (busy.length === 0) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      const results = await Promise.all(busy.map((channel) => channel.drain(remaining)));
      if (results.includes(false)) return false;
    }
  }

  /** Shutdown begins: user publications are refused from now on, accepted ones are still delivered. */
  stopPublishing(): void {
    for (const channel of this.byName.values()) channel.stopPublishing();
  }

  /** Closes every channel; returns what each discarded (see Channel.close), channels with nothing left out. */
  close(): Partial<Record<ChannelName, number>> {
    const discarded: Partial<Record<ChannelName, number>> = {};
    for (const [name, channel] of this.byName) {
      const count = channel.close();
      if (count > 0) discarded[name] = count;
    }
    // Only the set's own backend: a transport's (Redis Streams) is opened and closed with the transport.
    void this.memoryDurable.close();
    return discarded;
  }

  private publishDeadLetter(message: PubSubMessage, error: unknown, attempts: number, subscription: string): void {
    const diagnostics = this.channel('diagnostics');
    // A failing dead-letter handler would otherwise feed itself forever.
    if (message.channel === 'diagnostics' && message.type === DEAD_LETTER_TYPE) {
      this.log.error(
        `dead-letter-loop:${subscription}`,
        `Dead letter ${message.id} failed in subscription ${subscription} and is not re-published (it would loop); counted in diagnostics handlerErrors`,
      );
      return;
    }
    const payload: DeadLetterPayload = { message, error: describeError(error), attempts, subscription };
    // Local: the failed subscription lives on this node, and the whole failed message need not cross the wire.
    const result = diagnostics.publishInternal(`dead_letter:${message.channel}`, { type: DEAD_LETTER_TYPE, payload }, { local: true });
    if (!result.ok) {
      this.log.error(`dead-letter-refused:${message.channel}`, `Dead letter for ${message.id} could not be published: ${result.reason}`);
    }
  }
}
