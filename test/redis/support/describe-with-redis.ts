import { redisServerBinary } from '../../support/redis-server.js';

/**
 * `describe` for suites that need redis-server: without the binary they are skipped with a loud message,
 * except under CI=true, where they fail (a CI machine must have it: .ci/run installs it).
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerBinary() !== undefined) {
    describe(name, body);
    return;
  }
  const message =
    `redis-server was not found on PATH: the Redis transport tests "${name}" cannot run. ` +
    'Install it (Debian/Ubuntu: apt-get install -y redis-server).';
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs redis-server (CI=true: failing instead of skipping)', () => {
        throw new Error(message);
      });
    });
    return;
  }
  const banner = '!'.repeat(100);
  console.warn(`\n${banner}\nSKIPPED: ${message}\n${banner}\n`);
  describe.skip(name, body);
}
