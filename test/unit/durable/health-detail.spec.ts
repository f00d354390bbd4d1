import { SchedulerRegistry } from '@nestjs/schedule';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { Broadcasters } from '../../../libs/pubsub/src/integration/broadcasters.js';
import { PubSubConfigService } from '../../../libs/pubsub/src/integration/pubsub-config.service.js';
import { CATALOGUE_HOOKS } from '../../../libs/pubsub/src/messages/catalogue.js';
import { ChannelRecorder, RecordingLogger } from '../../support/integration-helpers.js';

describe('health broadcaster: durable detail', () => {
  it('component_health_updated reports pending and each durable name’s lag, only for channels with durable names', async () => {
    const channels = new ChannelSet({ nodeName: 'n', logger: silentLogger, wiring: CATALOGUE_HOOKS });
    const config = new PubSubConfigService({ integration: true, healthBroadcastInterval: 60_000, metricsBroadcastInterval: 60_000 });
    const broadcasters = new Broadcasters({
      channels,
      config,
      registry: new SchedulerRegistry(),
      logger: new RecordingLogger(),
      nodes: () => ['n'],
    });
    const health = new ChannelRecorder(channels.channel('health'));
    channels
      .channel('audit')
      .subscribe('a:*', () => undefined, { durable: 'writer' })
      .unsubscribe();
    for (let i = 0; i < 3; i++) channels.channel('audit').publish('a:1', 't', i);
    broadcasters.broadcastHealth();
    expect(await channels.drain(1_000)).toBe(true);
    const [audit] = health.payloadsOf('component_health_updated', 'channel_health:audit');
    expect(audit.details).toMatchObject({ pending: 0, lag: { writer: { pending: 0, backlog: 3, oldestMs: expect.any(Number) } } });
    const [events] = health.payloadsOf('component_health_updated', 'channel_health:events');
    expect(events.details).not.toHaveProperty('lag');
    channels.close();
  });
});
