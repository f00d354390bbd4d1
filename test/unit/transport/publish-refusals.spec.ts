import { afterEach, describe, expect, it } from '@jest/globals';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import { ClusterTransport } from '../../../libs/pubsub/src/transport/cluster-transport.js';
import { MemoryHub } from '../../../libs/pubsub/src/transport/memory-hub.js';

const cyclic = (): Record<string, unknown> => {
  const value: Record<string, unknown> = {};
  value.self = value;
  return value;
};

describe('publish with a remote transport tells the truth', () => {
  const transports: ClusterTransport[] = [];
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
  });

  function clusterNode(maxMessageBytes?: number) {
    const settings = resolvePubSubSettings({ nodeName: 'node-a', maxMessageBytes }, {});
    const transport = new ClusterTransport({ settings, logger: silentLogger }, new MemoryHub().connect('node-a'));
    const channels = new ChannelSet({ nodeName: 'node-a', logger: silentLogger, wiring: { transmit: transport.transmit } });
    transport.bind(channels, () => undefined);
    transports.push(transport);
    const delivered: PubSubMessage[] = [];
    channels.channel('events').subscribe('*', (message) => void delivered.push(message));
    return { channels, transport, delivered };
  }

  it('refuses, before any local delivery, what cannot cross: too large (maxMessageBytes) or not serialisable', async () => {
    const { channels, delivered } = clusterNode(1_000);
    const events = channels.channel('events');
    expect(events.publish('a:b', 'big', 'x'.repeat(1_000))).toMatchObject({
      ok: false,
      reason: 'too_large',
      error: expect.stringContaining('maxMessageBytes (1000)'),
    });
    expect(events.publish('a:b', 'cycle', cyclic())).toMatchObject({
      ok: false,
      reason: 'invalid_message',
      error: expect.stringContaining('cannot be serialised'),
    });
    expect(events.publish('a:b', 'bigint', 1n)).toMatchObject({ ok: false, reason: 'invalid_message' });
    expect(events.publish('a:b', 'small', 'x'.repeat(800)).ok).toBe(true);
    expect(events.publish('a:b', 'local', 'x'.repeat(5_000), { local: true }).ok).toBe(true); // never leaves: no limit
    expect(events.publish('a:b', 'local', cyclic(), { local: true }).ok).toBe(true);
    await channels.drain(1_000);
    expect(delivered.map((m) => m.type)).toEqual(['small', 'local', 'local']);
    expect(events.stats()).toMatchObject({ published: 3, failedPublications: 3 });
  });

  it('measures the JSON form in UTF-8 bytes', () => {
    const { channels } = clusterNode(1_000);
    expect(channels.channel('events').publish('a:b', 't', '€'.repeat(400))).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('without a remote transport, any object is delivered as it is', async () => {
    const channels = new ChannelSet({ nodeName: 'solo', logger: silentLogger });
    const delivered: unknown[] = [];
    channels.channel('events').subscribe('*', (message) => void delivered.push(message.payload));
    const value = cyclic();
    expect(channels.channel('events').publish('a:b', 'cycle', value).ok).toBe(true);
    expect(channels.channel('events').publish('a:b', 'big', 'x'.repeat(2_000_000)).ok).toBe(true);
    await channels.drain(1_000);
    expect(delivered[0]).toBe(value);
    expect(delivered).toHaveLength(2);
  });
});
