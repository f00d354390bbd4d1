/**
 * Focused micro-benchmark of the dispatch path (issue 9, fan-out): channel.publish + drain on the forRoot()
 * events channel with SUBS (default 10) synchronous subscriptions of one topic, against EventEmitter2 as
 * @nestjs/event-emitter configures it (see best-cpu.ts). Not a suite of `npm run bench`: run it alone, under a
 * profiler if wanted:
 *   npx tsc -p bench/tsconfig.json && node dist-bench/bench/micro/dispatch.js [streaming|burst] [rounds] [ours|bare|ee2]
 */
import { bestCpu } from './best-cpu.js';

const mode = process.argv[2] === 'burst' ? 'burst' : 'streaming';
const publishes = mode === 'burst' ? 200_000 : 100_000;
const TOPIC = 'cluster:health';
const patterns = Array.from({ length: Number(process.env.SUBS ?? 10) }, () => TOPIC);

void bestCpu({
  mode,
  rounds: Number(process.argv[3] ?? 20),
  only: process.argv[4],
  patterns,
  topics: [TOPIC],
  publishes,
  expected: publishes * patterns.length,
});
