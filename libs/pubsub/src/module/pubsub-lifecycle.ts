import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HandlerExplorer } from '../discovery/handler-explorer.js';
import { PUBSUB_RUNTIME } from './pubsub-module-definition.js';
import type { PubSubRuntime } from './pubsub-runtime.js';

/** How long `app.close()` waits for pending deliveries before closing the channels anyway. */
export const SHUTDOWN_DRAIN_TIMEOUT_MS = 5_000;

/**
 * Owns the application-level lifecycle: binds decorated handlers at init, drains and closes at shutdown.
 * Every PubSubModule instance has one; the runtime makes each step happen once per application.
 */
@Injectable()
export class PubSubLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(PUBSUB_RUNTIME) private readonly runtime: PubSubRuntime,
    private readonly explorer: HandlerExplorer,
  ) {}

  onModuleInit(): void {
    if (this.runtime.firstTime('bind-handlers')) this.explorer.bind(this.runtime.channels);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.runtime.firstTime('start-transport')) await this.runtime.transport.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.runtime.firstTime('drain')) return;
    const drained = await this.runtime.channels.drain(SHUTDOWN_DRAIN_TIMEOUT_MS);
    if (!drained) {
      const waiting = this.runtime.channels.stats().reduce((sum, s) => sum + s.mailboxDepth, 0);
      this.runtime.logger.warn(`Shutdown drain timed out after ${SHUTDOWN_DRAIN_TIMEOUT_MS} ms with ${waiting} messages still queued`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.runtime.firstTime('close')) return;
    this.runtime.channels.close();
    await this.runtime.transport.close();
  }
}
