import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PubSubManager, type ChannelStats } from '@gater/pubsub';

const REPORT_INTERVAL_MS = 10_000;

/** Every ten seconds, one line per channel from `PubSubManager.stats()`, at debug level (DEMO_LOG_LEVEL=debug). */
@Injectable()
export class ChannelStatsReporter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChannelStats');
  private timer?: NodeJS.Timeout;

  constructor(private readonly pubsub: PubSubManager) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.report(), REPORT_INTERVAL_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  report(): void {
    for (const stats of this.pubsub.stats()) this.logger.debug(describe(stats));
  }
}

function describe(s: ChannelStats): string {
  const reach = s.subscriptions === 0 ? ' (no subscriber on this node)' : ` subscriptions=${s.subscriptions}`;
  const line = `${s.channel.padEnd(11)} published=${s.published} delivered=${s.delivered} dropped=${s.dropped}${reach}`;
  const trouble = s.failedPublications + s.handlerErrors + s.lost > 0;
  return trouble ? `${line} failed=${s.failedPublications} handlerErrors=${s.handlerErrors} lost=${s.lost}` : line;
}
