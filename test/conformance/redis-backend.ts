import { Redis } from 'ioredis';
import { busChannel } from '../../libs/pubsub/src/transport/redis-bus.js';
import { RedisServer, type ServerProtocols } from '../support/redis-server.js';
import type { Backend, Tap } from './cluster-harness.js';

/**
 * A private redis-server for the file; each cluster gets its own channel prefix on it. `speaks`: a server of
 * today (each node on one connection) or one that speaks RESP2 only (each node with a second connection to publish).
 */
export function redisBackend(speaks: ServerProtocols = 'resp2-and-resp3'): Backend {
  let server: RedisServer | undefined;
  let injector: Redis | undefined;
  const running = () => {
    if (server === undefined) throw new Error('redis-server not started');
    return server;
  };
  return {
    name: speaks === 'resp2-only' ? 'redis (a server that speaks RESP2 only)' : 'redis',
    setup: async () => {
      server = await RedisServer.start(undefined, { speaks });
      injector = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(times * 50, 500) });
    },
    teardown: async () => {
      injector?.disconnect();
      await server?.stop();
    },
    // Unsigned clusters are part of the suite (the memory hub runs them as they are): opted into explicitly.
    join: (prefix) => ({ transport: { type: 'redis', url: running().url, prefix, allowUnsigned: true } }),
    inject: async (prefix, text) => {
      await injector!.publish(busChannel(prefix), text);
    },
    tap: async (prefix): Promise<Tap> => {
      const frames: string[] = [];
      const client = new Redis(running().url, { maxRetriesPerRequest: 1 });
      client.on('message', (_channel: string, text: string) => frames.push(text));
      await client.subscribe(busChannel(prefix));
      return { frames, stop: async () => void client.disconnect() };
    },
    interrupt: async () => running().kill(),
    restore: async () => running().launch(),
  };
}
