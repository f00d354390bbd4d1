import { randomBytes } from 'node:crypto';
import { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import { resolvePubSubSettings } from '../../libs/pubsub/src/module/pubsub-settings.js';
import { createTransportLayer, type TransportLayer } from '../../libs/pubsub/src/transport/transport-layer.js';
import { RedisServer, type ServerProtocols } from '../support/redis-server.js';
import type { DurableTarget } from './durable-conformance.js';

/**
 * Each node: channels of one application over the Redis transport, so durable groups live in Redis Streams.
 * `speaks`: on a server of today a node's frames of a retained channel without a group go through the gate's
 * script (Redis 7.0 here: see RedisBus.checkedPublishes); on one that speaks RESP2 only, through its transaction.
 */
export function durableRedisBackend(speaks: ServerProtocols = 'resp2-and-resp3'): DurableTarget {
  let server: RedisServer | undefined;
  const open: { channels: ChannelSet; transport: TransportLayer }[] = [];

  return {
    name: speaks === 'resp2-only' ? 'redis (a server that speaks RESP2 only)' : 'redis',
    setup: async () => {
      server = await RedisServer.start(undefined, { speaks });
    },
    teardown: async () => {
      await server?.stop();
    },
    open: async (options = {}) => {
      // A cluster of its own per node: nothing of an earlier test's streams is seen.
      const prefix = `durable-${randomBytes(4).toString('hex')}`;
      const transport = { type: 'redis' as const, url: server!.url, prefix };
      const settings = resolvePubSubSettings(
        { nodeName: 'test-node', transport, secretKeyBase: 'durable-conformance-secret-0123456789' },
        {},
      );
      const layer = createTransportLayer({ settings, logger: silentLogger });
      const channels = new ChannelSet({
        nodeName: 'test-node',
        logger: silentLogger,
        defaults: { audit: { retention: options.auditRetention } },
        wiring: { transmit: layer.transmit, durable: layer.durable },
      });
      layer.bind(channels, () => undefined);
      open.push({ channels, transport: layer });
      await layer.start();
      expect(channels.hooks.durable?.kind).toBe('redis');
      return channels;
    },
    closeAll: async () => {
      for (const { channels, transport } of open.splice(0)) {
        channels.close();
        await transport.close();
      }
    },
  };
}
