import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  AlertsChannel,
  AuditChannel,
  EventsChannel,
  HealthChannel,
  InjectChannel,
  LifecycleChannel,
  LoggingChannel,
  SecurityChannel,
  SystemChannel,
  type Channel,
} from '@gater/pubsub';
import * as sample from './sample-round.js';

const ROUND_INTERVAL_MS = 1_000;

/** Pretends to be an event store: every second it publishes a small round of events on all ten channels. */
@Injectable()
export class EventStoreSimulator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventStoreSimulator.name);
  private timer?: NodeJS.Timeout;
  private round = 0;

  constructor(
    // Channels are injectable by class...
    private readonly events: EventsChannel,
    private readonly system: SystemChannel,
    private readonly logging: LoggingChannel,
    private readonly health: HealthChannel,
    private readonly security: SecurityChannel,
    private readonly audit: AuditChannel,
    private readonly alerts: AlertsChannel,
    private readonly lifecycle: LifecycleChannel,
    // ...or by name; both give the same instance.
    @InjectChannel('metrics') private readonly metrics: Channel,
    @InjectChannel('diagnostics') private readonly diagnostics: Channel,
  ) {}

  /** Rounds published so far. */
  get rounds(): number {
    return this.round;
  }

  // Handlers are bound during init, so the first round already reaches them.
  onApplicationBootstrap(): void {
    this.publishRound();
    this.timer = setInterval(() => this.publishRound(), ROUND_INTERVAL_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.logger.log(`Stopped after ${this.round} rounds`);
  }

  private publishRound(): void {
    const round = this.round++;
    const now = Date.now();
    this.send(this.events, sample.domainEvent(round, now));
    this.send(this.system, sample.systemStatus(round, now));
    this.send(this.logging, sample.logEntry(round, now));
    this.send(this.health, sample.subscriptionHealth(now));
    this.send(this.metrics, sample.subscriptionMetric(now));
    this.send(this.security, sample.authFailure(round, now));
    this.send(this.audit, sample.userAction(now));
    this.send(this.diagnostics, sample.performanceTrace(now));
    this.send(this.lifecycle, sample.proxyStarted(round, now));
    if (round % 10 === 0) this.send(this.alerts, sample.alert('critical', now));
    if (round % 10 === 5) this.send(this.alerts, sample.alert('warning', now));
  }

  /** `publish` never throws; a refusal comes back as `{ ok: false, reason }` and is logged here. */
  private send(channel: Channel, { topic, message }: sample.SampleEvent): void {
    const result = channel.publish(topic, message);
    if (!result.ok) {
      this.logger.warn(`${channel.name} ${topic} (${message.type}) refused: ${result.reason}${result.error ? ` - ${result.error}` : ''}`);
    }
  }
}
