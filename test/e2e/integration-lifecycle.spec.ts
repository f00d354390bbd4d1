import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { OnSystem, PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../../libs/pubsub/src/library-version.js';
import { startApp } from '../support/pubsub-app.js';
import { waitFor } from '../support/integration-helpers.js';

@Injectable()
class LifecycleWatcher {
  readonly seen: PubSubMessage[] = [];
  @OnSystem('lifecycle')
  onLifecycle(message: PubSubMessage) {
    this.seen.push(message);
  }
}

describe('system lifecycle events', () => {
  it('a decorated @OnSystem handler receives started after init and stopping on close', async () => {
    const app = await startApp({
      options: { integration: true, nodeName: 'lifecycle-node', healthBroadcastInterval: 600_000, metricsBroadcastInterval: 600_000 },
      providers: [LifecycleWatcher],
    });
    const watcher = app.get(LifecycleWatcher);
    await waitFor(() => watcher.seen.length >= 1, 'the started event');
    await app.get(PubSubManager).drain(1_000);
    expect(watcher.seen).toHaveLength(1);
    expect(watcher.seen[0]).toMatchObject({
      channel: 'system',
      topic: 'lifecycle',
      type: 'system_lifecycle_event',
      node: 'lifecycle-node',
      payload: {
        event: 'started',
        systemName: LIBRARY_NAME,
        version: LIBRARY_VERSION,
        node: 'lifecycle-node',
        timestamp: expect.any(Number),
      },
    });
    await app.close();
    expect(watcher.seen.map((m) => (m.payload as { event: string }).event)).toEqual(['started', 'stopping']);
    expect(watcher.seen[1]).toMatchObject({
      channel: 'system',
      topic: 'lifecycle',
      type: 'system_lifecycle_event',
      payload: { node: 'lifecycle-node' },
    });
  });
});
