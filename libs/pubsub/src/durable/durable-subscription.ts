import type { ChannelName } from '../vocabulary/channel-names.js';
import type { MessageHandler, PubSubMessage, Subscription } from '../vocabulary/message.js';
import type { ChannelCounters } from '../delivery/channel-counters.js';
import { isThenable, onSettled } from '../delivery/handler-outcome.js';
import { retryDelay, WaitingRetries } from '../delivery/retry-backoff.js';
import type { ThrottledLog } from '../delivery/throttled-log.js';
import { describeError, describeStack } from '../describe-error.js';
import type { DurableBackend, DurableDelivery, DurableMembership } from './durable-backend.js';
import type { ReplaySelector } from './replay-selector.js';

export interface DurableSettings {
  durable: string;
  concurrency: number;
  ackTimeoutMs: number;
  maxDeliveries: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
  replay?: ReplaySelector;
}

/** What a durable subscription needs from the channel that owns it. */
export interface DurableHost {
  readonly name: ChannelName;
  readonly counters: ChannelCounters;
  readonly log: ThrottledLog;
  deadLetter(message: PubSubMessage, error: unknown, attempts: number, subscription: { readonly id: string }): void;
  releaseDurable(subscription: DurableSubscription): void;
}

type Delivered = PubSubMessage & { deliveryCount: number };

/**
 * A member of a durable group: takes at most `concurrency` deliveries from the backend, acknowledges each only
 * once its handler finished (or, after `maxDeliveries`, once it was dead-lettered), and retries failures after
 * a backoff without holding back its other deliveries.
 */
export class DurableSubscription implements Subscription {
  private readonly membership: DurableMembership;
  /** Deliveries taken and not yet settled: running, or waiting for a retry. */
  private active = 0;
  private readonly waitingRetries = new WaitingRetries();
  private unsubscribed = false;
  private abandoned = false;

  constructor(
    readonly id: string,
    readonly patterns: string[],
    private readonly handler: MessageHandler,
    readonly settings: DurableSettings,
    private readonly host: DurableHost,
    backend: DurableBackend,
  ) {
    this.membership = backend.join({
      channel: host.name,
      durable: settings.durable,
      patterns,
      ackTimeoutMs: settings.ackTimeoutMs,
      replay: settings.replay,
      capacity: () => (this.unsubscribed ? 0 : settings.concurrency - this.active),
      deliver: (delivery) => this.take(delivery),
      lost: (count) => this.reportLost(count),
    });
  }

  get closed(): boolean {
    return this.unsubscribed;
  }

  /** Delivered to this member and not yet acknowledged. */
  get pending(): number {
    return this.membership.pending;
  }

  unsubscribe(): void {
    if (this.unsubscribed) return;
    this.unsubscribed = true;
    this.cancelRetries();
    this.membership.leave();
    this.host.releaseDurable(this);
  }

  /** Shutdown: nothing more runs; what was taken and not settled is counted in `dropped` (it stays unacknowledged). */
  abandon(): number {
    if (this.abandoned) return 0;
    this.abandoned = true;
    this.unsubscribed = true;
    this.waitingRetries.cancel();
    const discarded = this.active;
    this.active = 0;
    const { counters } = this.host;
    if (discarded > 0) counters.count('dropped', discarded);
    for (let i = 0; i < discarded; i++) counters.finish();
    this.membership.leave();
    return discarded;
  }

  private take(delivery: DurableDelivery): void {
    this.active++;
    this.host.counters.begin();
    this.call(delivery.message, delivery);
  }

  private call(message: Delivered, delivery: DurableDelivery): void {
    if (message.deliveryCount > 1) this.host.counters.countRedelivered();
    let outcome: unknown;
    let thenable: boolean;
    try {
      outcome = this.handler(message);
      thenable = isThenable(outcome);
    } catch (error) {
      this.fail(message, delivery, error);
      return;
    }
    if (!thenable) {
      this.succeed(delivery);
      return;
    }
    // After shutdown abandoned the call, its outcome is ignored (counted in `dropped` then).
    onSettled(outcome as PromiseLike<unknown>, (failed, error) => {
      if (this.abandoned) return;
      if (failed) this.fail(message, delivery, error);
      else this.succeed(delivery);
    });
  }

  private succeed(delivery: DurableDelivery): void {
    if (delivery.ack() !== false) this.host.counters.countAcked();
    this.host.counters.countDelivered();
    this.done();
  }

  private fail(message: Delivered, delivery: DurableDelivery, error: unknown): void {
    const { counters, log, name } = this.host;
    const { maxDeliveries } = this.settings;
    counters.count('handlerErrors');
    log.error(
      `handler-error:${name}:${this.id}`,
      `Handler of durable subscription ${this.id} ('${this.settings.durable}') on channel '${name}' failed on ${message.type} (topic ${message.topic}, delivery ${message.deliveryCount} of ${maxDeliveries}): ${describeError(error)}`,
      () => describeStack(error),
    );
    if (this.unsubscribed) {
      // Left the group: the backend hands the unacknowledged message to another member.
      this.done();
      return;
    }
    if (message.deliveryCount < maxDeliveries) {
      this.retryLater({ ...message, deliveryCount: message.deliveryCount + 1 }, delivery);
      return;
    }
    this.host.deadLetter(message, error, message.deliveryCount, this);
    if (delivery.ack() !== false) counters.countAcked();
    this.done();
  }

  // The retry waits on a timer, not in a queue: the member's other slots (concurrency > 1) keep working.
  private retryLater(message: Delivered, delivery: DurableDelivery): void {
    const wait = retryDelay(message.deliveryCount - 1, this.settings.retryDelayMs, this.settings.retryMaxDelayMs);
    this.waitingRetries.start(wait, () => this.call(message, delivery));
  }

  private cancelRetries(): void {
    const cancelled = this.waitingRetries.cancel();
    for (let i = 0; i < cancelled; i++) this.done();
  }

  private done(): void {
    this.active--;
    this.host.counters.finish();
    if (!this.unsubscribed) this.membership.wake();
  }

  private reportLost(count: number): void {
    this.host.counters.count('lost', count);
    this.host.log.warn(
      `durable-lost:${this.host.name}:${this.settings.durable}`,
      `Durable subscription '${this.settings.durable}' on channel '${this.host.name}' lost ${count} message(s): they fell out of retention before it read them`,
    );
  }
}
