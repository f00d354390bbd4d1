import { loadavg } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { HealthStatus } from '../messages/health.messages.js';

export interface NodeHealthSample {
  status: HealthStatus;
  checks: {
    eventLoopDelayP99Ms: number;
    eventLoopDelayMaxMs: number;
    heapUsedBytes: number;
    heapLimitBytes: number;
    rssBytes: number;
    unhealthyChannels: string[];
    degradedChannels: string[];
  };
  loadAvg: number;
  /** Heap used, as a percentage of the heap limit. */
  memoryUsage: number;
}

const DELAY_DEGRADED_MS = 200;
const DELAY_UNHEALTHY_MS = 1_000;
const HEAP_DEGRADED = 85;
const HEAP_UNHEALTHY = 95;

/** Measures this process: event-loop delay since the last sample, heap, RSS and load. */
export class NodeHealthProbe {
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  start(): void {
    this.loopDelay.enable();
  }

  stop(): void {
    this.loopDelay.disable();
  }

  sample(channelStatuses: Record<string, HealthStatus>): NodeHealthSample {
    const p99 = nanosToMs(this.loopDelay.percentile(99));
    const max = nanosToMs(this.loopDelay.max);
    this.loopDelay.reset();
    const heap = getHeapStatistics();
    const memoryUsage = round((heap.used_heap_size / heap.heap_size_limit) * 100);
    const unhealthyChannels = Object.keys(channelStatuses).filter((name) => channelStatuses[name] === 'unhealthy');
    const degradedChannels = Object.keys(channelStatuses).filter((name) => channelStatuses[name] === 'degraded');
    let status: HealthStatus = 'healthy';
    if (p99 > DELAY_UNHEALTHY_MS || memoryUsage > HEAP_UNHEALTHY) status = 'unhealthy';
    else if (p99 > DELAY_DEGRADED_MS || memoryUsage > HEAP_DEGRADED || unhealthyChannels.length + degradedChannels.length > 0)
      status = 'degraded';
    return {
      status,
      checks: {
        eventLoopDelayP99Ms: p99,
        eventLoopDelayMaxMs: max,
        heapUsedBytes: heap.used_heap_size,
        heapLimitBytes: heap.heap_size_limit,
        rssBytes: process.memoryUsage.rss(),
        unhealthyChannels,
        degradedChannels,
      },
      loadAvg: round(loadavg()[0]),
      memoryUsage,
    };
  }
}

function nanosToMs(nanos: number): number {
  return Number.isFinite(nanos) ? round(nanos / 1e6) : 0;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
