import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger, type PubSubLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import type { MemoryHub } from '../../../libs/pubsub/src/transport/memory-hub.js';
import { createTransportLayer, type TransportLayer } from '../../../libs/pubsub/src/transport/transport-layer.js';
import { RedisServer, type ServerProtocols } from '../../support/redis-server.js';

/**
 * Library cores (a ChannelSet and its transport layer, no Nest) on a private redis-server started for the
 * describe block (`speaks`: see RedisServer.start); every node started in a test is closed after it.
 */
export function useCoreNodes(secret: string, speaks?: ServerProtocols) {
  let server: RedisServer;
  const nodes: { channels: ChannelSet; transport: TransportLayer }[] = [];
  beforeAll(async () => {
    server = await RedisServer.start(undefined, { speaks });
  });
  afterAll(async () => server.stop());
  afterEach(async () => {
    for (const { channels, transport } of nodes.splice(0)) {
      channels.close();
      await transport.close();
    }
  });
  return {
    /** The server's URL (for a raw client looking at what the nodes left in Redis). */
    url: () => server.url,
    /** The server itself (to freeze it, say). */
    server: () => server,
    /** The transport layer of a node started here. */
    transportOf(channels: ChannelSet): TransportLayer {
      return nodes.find((node) => node.channels === channels)!.transport;
    },
    /**
     * A node on this server under `prefix`, or on the in-memory hub given; silent unless given a logger;
     * `messageMaxAgeMs` when given; `beforeStart` runs once its transport layer exists, before it starts.
     */
    async node(
      name: string,
      on: { prefix: string } | { memoryHub: MemoryHub },
      logger: PubSubLogger = silentLogger,
      messageMaxAgeMs?: number,
      beforeStart?: (channels: ChannelSet) => void,
    ): Promise<ChannelSet> {
      const redis = 'prefix' in on ? { type: 'redis' as const, url: server.url, prefix: on.prefix } : undefined;
      const options = { nodeName: name, transport: redis, secretKeyBase: secret, heartbeatIntervalMs: 100, messageMaxAgeMs };
      const settings = resolvePubSubSettings(options, {});
      const memoryHub = 'memoryHub' in on ? on.memoryHub : undefined;
      const transport = createTransportLayer({ settings, logger, memoryHub });
      const channels = new ChannelSet({ nodeName: name, logger, wiring: { transmit: transport.transmit, durable: transport.durable } });
      transport.bind(channels, () => undefined);
      nodes.push({ channels, transport });
      beforeStart?.(channels);
      await transport.start();
      return channels;
    },
  };
}
