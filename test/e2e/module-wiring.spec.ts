import { Injectable } from '@nestjs/common';
import { CHANNEL_NAMES, HealthChannel, InjectChannel, OnHealth, PubSubManager, type Channel, type PubSubMessage } from '@gater/pubsub';
import { startApp } from '../support/pubsub-app.js';

@Injectable()
class HealthWatcher {
  received: PubSubMessage[] = [];
  constructor(
    @InjectChannel('health') readonly viaToken: Channel,
    readonly viaClass: HealthChannel,
  ) {}

  @OnHealth('subscription_health:*')
  onHealth(message: PubSubMessage) {
    this.received.push(message);
  }
}

describe('PubSubModule wiring', () => {
  it('injects channels by class and token and binds decorated handlers', async () => {
    const app = await startApp({ providers: [HealthWatcher] });
    const watcher = app.get(HealthWatcher);
    expect(watcher.viaToken).toBe(watcher.viaClass);
    const manager = app.get(PubSubManager);
    expect(manager.channels().map((c) => c.name)).toEqual([...CHANNEL_NAMES]);
    const result = watcher.viaClass.publish('subscription_health:store:sub', 'registration_success', { a: 1 });
    expect(result.ok).toBe(true);
    expect(await manager.drain(1000)).toBe(true);
    expect(watcher.received.map((m) => m.payload)).toEqual([{ a: 1 }]);
    await app.close();
    expect(watcher.viaClass.publish('x', 't')).toEqual(expect.objectContaining({ ok: false, reason: 'closed' }));
  });
});
