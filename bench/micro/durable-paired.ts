/**
 * Only the durable suite's paired at-most-once comparison (suites/durable/paired-at-most-once.ts), for A/B runs:
 * `tsc -p bench/tsconfig.json && node dist-bench/bench/micro/durable-paired.js`; ROUNDS (default 7) paired floods,
 * STEADY_ROUNDS (default 2), KINDS (comma-separated, default all three).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisServer } from '../../test/support/redis-server.js';
import { describePaired, pairedAtMostOnce, PAIRED_KINDS, type PairedKind } from '../suites/durable/paired-at-most-once.js';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'suites', 'durable', 'durable-peer.js');
const kinds = (process.env.KINDS?.split(',') as PairedKind[] | undefined) ?? PAIRED_KINDS;
const server = await RedisServer.start();
try {
  const result = await pairedAtMostOnce(server.url, script, Number(process.env.ROUNDS ?? 7), Number(process.env.STEADY_ROUNDS ?? 2), kinds);
  for (const line of describePaired(result)) console.log(line);
  if (process.env.RAW === '1') console.log(JSON.stringify(result));
} finally {
  await server.stop();
}
