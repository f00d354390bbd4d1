import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { durableConformance } from './durable-conformance.js';
import { durableRedisBackend } from './durable-redis-backend.js';

describeWithRedis('durable conformance over Redis Streams', () => {
  durableConformance(durableRedisBackend());
});
