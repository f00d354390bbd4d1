import { describeWithRedis } from '../redis/support/describe-with-redis.js';
import { redisBackend } from './redis-backend.js';
import { transportConformance } from './transport-conformance.js';

describeWithRedis('Redis transport conformance', () => {
  transportConformance(redisBackend());
});
