import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { durableConformance } from './durable-conformance.js';
import { durableRedisBackend } from './durable-redis-backend.js';

// The same suite, unchanged, against a server that refuses RESP3: publishing on a connection of its own.
describeWithRedis('durable conformance over Redis Streams, RESP2-only server', () => {
  durableConformance(durableRedisBackend('resp2-only'));
});
