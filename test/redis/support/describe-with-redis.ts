import { describeWithBinary } from '../../support/describe-with-binary.js';
import { redisServerBinary } from '../../support/redis-server.js';

/** `describe` for suites that need redis-server (skipped loudly without it; failing under CI=true). */
export function describeWithRedis(name: string, body: () => void): void {
  const binary = {
    label: 'redis-server',
    found: redisServerBinary() !== undefined,
    install: 'Debian/Ubuntu: apt-get install -y redis-server',
  };
  describeWithBinary(name, binary, body);
}
