import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { HandlerExplorer } from '../discovery/handler-explorer.js';
import { startEventEmitterBridge } from './event-emitter-bridge.js';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../library-version.js';
import { PUBSUB_RUNTIME } from './pubsub-module-definition.js';
import type { PubSubRuntime } from './pubsub-runtime.js';

/** How long `app.close()` waits for pending deliveries before closing the channels anyway. */
export const SHUTDOWN_DRAIN_TIMEOUT_MS = 5_000;

/**
 * Owns the application-level lifecycle: binds decorated handlers at init; starts the transport, the
 * broadcasters and announces `started` at bootstrap; announces `stopping`, drains and closes at shutdown.
 * Every PubSubModule instance has one; the runtime makes each step happen once per application.
 */
@Injectable()
export class PubSubLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(PUBSUB_RUNTIME) private readonly runtime: PubSubRuntime,
    private readonly explorer: HandlerExplorer,
    private readonly moduleRef: ModuleRef,
    // The application's registry when it imports ScheduleModule.forRoot(); our own otherwise. Either way we
    // never mount ScheduleModule's explorer, so the application's own @Interval/@Cron jobs run once.
    @Optional() private readonly schedulerRegistry?: SchedulerRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.runtime.firstTime('bind-handlers')) return;
    this.explorer.bind(this.runtime.core.channels);
    for (const warning of this.explorer.unboundHandlers()) this.runtime.core.logger.warn(warning);
    const bridged = this.runtime.core.settings.eventEmitterChannels;
    if (bridged.length > 0) await startEventEmitterBridge(this.runtime.core.channels, bridged, this.moduleRef);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runtime.firstTime('bootstrap')) return;
    await this.runtime.core.transport.start();
    this.runtime.startBroadcasters(this.schedulerRegistry ?? new SchedulerRegistry());
    this.runtime.core.integration.broadcastSystemLifecycle('started', LIBRARY_NAME, LIBRARY_VERSION);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.runtime.firstTime('drain')) return;
    // The library's own announcement goes out first; from then on publications get 'closed' (dead letters of
    // the drain excepted), so the self-monitor stops too: its alerts could not be published.
    this.runtime.core.integration.broadcastSystemLifecycle('stopping', LIBRARY_NAME, LIBRARY_VERSION);
    this.runtime.core.channels.stopPublishing();
    this.runtime.core.monitor.stop();
    this.runtime.stopBroadcasters();
    await this.runtime.core.channels.drain(SHUTDOWN_DRAIN_TIMEOUT_MS);
    this.closeChannels();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.runtime.firstTime('close')) return;
    this.closeChannels();
    await this.runtime.core.transport.close();
    await this.runtime.core.closeObservability();
  }

  /** No handler runs after this; what the drain did not finish is counted in `dropped` and logged once. */
  private closeChannels(): void {
    // Also here, for an application closed without beforeApplicationShutdown: discards must not raise alerts.
    this.runtime.core.monitor.stop();
    const discarded = Object.entries(this.runtime.core.channels.close());
    if (discarded.length === 0) return;
    const total = discarded.reduce((sum, [, count]) => sum + count, 0);
    const perChannel = discarded.map(([channel, count]) => `${channel} ${count}`).join(', ');
    this.runtime.core.logger.warn(
      `Shutdown discarded ${total} messages still queued or running when the channels closed, after a drain of at most ${SHUTDOWN_DRAIN_TIMEOUT_MS} ms (counted in dropped): ${perChannel}`,
    );
  }
}
