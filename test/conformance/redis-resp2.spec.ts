import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { redisBackend } from './redis-backend.js';
import { transportConformance } from './transport-conformance.js';

// The same suite, unchanged, against a server that refuses RESP3 (as Redis 5 and earlier do).
describeWithRedis('Redis transport conformance, RESP2-only server', () => {
  transportConformance(redisBackend('resp2-only'));
});
