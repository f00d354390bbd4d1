import { Injectable } from '@nestjs/common';
import { OnAlerts, PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { startApp } from '../support/pubsub-app.js';
import { waitFor } from '../support/channels.js';

@Injectable()
class AlertWatcher {
  readonly metadata: Record<string, unknown>[] = [];
  @OnAlerts('system_alerts:*')
  onAlert(message: PubSubMessage<{ metadata: Record<string, unknown> }>) {
    this.metadata.push(message.payload.metadata);
  }
}

describe('alerting.durableLagMs through PubSubModule.forRoot', () => {
  it('a durable subscription stuck past durableLagMs raises a durable_lag system_alert', async () => {
    const app = await startApp({ options: { alerting: { durableLagMs: 100 } }, providers: [AlertWatcher] });
    let release!: () => void;
    try {
      const audit = app.get(PubSubManager).channel('audit');
      audit.subscribe('user:*', () => new Promise<void>((resolve) => (release = resolve)), { durable: 'audit-writer' });
      audit.publish('user:7', 'login', 'u7');
      const watcher = app.get(AlertWatcher);
      await waitFor(() => watcher.metadata.some((m) => m.rule === 'durable_lag'), 'the durable_lag alert');
      expect(watcher.metadata.find((m) => m.rule === 'durable_lag')).toMatchObject({
        rule: 'durable_lag',
        channel: 'audit',
        threshold: 100,
        durable: 'audit-writer',
        pending: 1,
      });
    } finally {
      release?.();
      await app.close();
    }
  });
});
