import { PubSubManager, type TransportStats } from '@gater/pubsub';
import { startApp } from '../support/pubsub-app.js';

describe('PubSubManager.transportStats()', () => {
  it('memory transport: exactly the documented shape, counters zero, connected', async () => {
    const app = await startApp({ options: { nodeName: 'solo' } });
    const manager = app.get(PubSubManager);
    manager.channel('events').publish('a:b', 'local_only', {});
    const expected: TransportStats = {
      type: 'memory',
      connected: true,
      nodes: 1,
      queued: 0,
      sent: 0,
      received: 0,
      sendFailures: 0,
      duplicates: 0,
      rejected: {},
    };
    expect(manager.transportStats()).toStrictEqual(expected);
    expect(manager.transportStats().nodes).toBe(manager.nodes().length);
    await app.close();
  });
});
