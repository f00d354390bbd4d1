/**
 * Micro-benchmark of one user-path workload (issue 9): channel.publish round-robin over the workload's topics,
 * then the drain, on the forRoot() events channel (or `bare`, a hand-built ChannelSet), against EventEmitter2
 * as @nestjs/event-emitter configures it; best process CPU time per round (see best-cpu.ts). WORKLOAD=a|b|c
 * (default c), PUBLISHES=n (default 200,000 for a burst, 100,000 streaming).
 * Not a suite of `npm run bench`: run it alone, under a profiler if wanted:
 *   npx tsc -p bench/tsconfig.json && WORKLOAD=c node dist-bench/bench/micro/workload.js [streaming|burst] [rounds] [ours|bare|ee2]
 */
import { expectedDeliveries, fanOut, manyPatterns, wildcardSubscriber } from '../lib/workloads.js';
import { bestCpu } from './best-cpu.js';

const mode = process.argv[2] === 'burst' ? 'burst' : 'streaming';
const workload = { a: wildcardSubscriber, b: fanOut, c: manyPatterns }[process.env.WORKLOAD ?? 'c']!();
const publishes = Number(process.env.PUBLISHES ?? (mode === 'burst' ? 200_000 : 100_000));

console.log(workload.label);
void bestCpu({
  mode,
  rounds: Number(process.argv[3] ?? 20),
  only: process.argv[4],
  patterns: workload.patterns,
  topics: workload.topics,
  publishes,
  expected: expectedDeliveries(workload, publishes),
});
