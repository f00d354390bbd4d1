/**
 * Alert latency under a metrics flood: a producer publishes metrics in chunks, one chunk per setImmediate,
 * for FLOOD_MS, while a timer publishes an alert every ALERT_EVERY_MS; we record publish→handler latency.
 */
import { check, now, percentile, yieldToLoop } from '../lib/measure.js';
import { newChannelSet } from '../lib/ours.js';
import type { Suite, SuiteResult } from '../lib/types.js';

const FLOOD_MS = 2_000;
const WARM_UP_MS = 300;
const ALERT_EVERY_MS = 2;
const METRICS_PER_CHUNK = 1_000;
const TARGET_P99_MS = 5;

interface FloodResult {
  latencies: number[];
  alertsSent: number;
  metricsPublished: number;
  metricsDelivered: number;
  metricsDropped: number;
  elapsedMs: number;
}

async function flood(durationMs: number): Promise<FloodResult> {
  const set = newChannelSet();
  const metrics = set.channel('metrics');
  const alerts = set.channel('alerts');
  let metricsDelivered = 0;
  let sum = 0;
  metrics.subscribe('throughput:*', (message) => {
    sum += (message.payload as { value: number }).value; // a little work per metric
    metricsDelivered++;
  });
  const latencies: number[] = [];
  alerts.subscribe('system_alerts:*', (message) => {
    latencies.push(now() - (message.payload as { sentAt: number }).sentAt);
  });

  let alertsSent = 0;
  const alertTimer = setInterval(() => {
    alertsSent++;
    alerts.publish('system_alerts:critical', 'system_alert', { sentAt: now(), severity: 'critical' });
  }, ALERT_EVERY_MS);

  let metricsPublished = 0;
  const started = now();
  const topics = ['throughput:events', 'throughput:system:node1', 'throughput:health'];
  while (now() - started < durationMs) {
    for (let i = 0; i < METRICS_PER_CHUNK; i++) {
      metrics.publish(topics[i % topics.length], 'throughput_metric', { value: 1, seq: metricsPublished++ });
    }
    await yieldToLoop();
  }
  const elapsedMs = now() - started;
  clearInterval(alertTimer);
  check(await set.drain(10_000), 'latency: channels did not drain');
  check(latencies.length === alertsSent, `latency: ${latencies.length} alerts handled of ${alertsSent}`);
  check(sum === metricsDelivered, 'latency: metric handler miscounted');
  const dropped = metrics.stats().dropped;
  check(
    metricsDelivered + dropped === metricsPublished,
    `latency: ${metricsDelivered} delivered + ${dropped} dropped != ${metricsPublished}`,
  );
  set.close();
  return { latencies, alertsSent, metricsPublished, metricsDelivered, metricsDropped: dropped, elapsedMs };
}

const suite: Suite = {
  name: 'latency',
  async run(): Promise<SuiteResult> {
    await flood(WARM_UP_MS);
    const r = await flood(FLOOD_MS);
    const p50 = percentile(r.latencies, 50);
    const p99 = percentile(r.latencies, 99);
    const max = Math.max(...r.latencies);
    const perSecond = (n: number): string => `${(((n / r.elapsedMs) * 1000) / 1e6).toFixed(2)} M/s`;
    return {
      rows: [],
      lines: [
        `- Alert latency under a metrics flood (${(r.elapsedMs / 1000).toFixed(1)} s, ${METRICS_PER_CHUNK} metrics per setImmediate, an alert every ${ALERT_EVERY_MS} ms): ` +
          `**p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms**, max ${max.toFixed(2)} ms over ${r.alertsSent} alerts (target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : '**missed**'}); ` +
          `meanwhile ${r.metricsDelivered.toLocaleString('en')} metrics delivered (${perSecond(r.metricsDelivered)}), ${r.metricsDropped.toLocaleString('en')} dropped by drop-oldest`,
      ],
      targets: [{ name: 'alert p99 < 5 ms under a metrics flood', met: p99 < TARGET_P99_MS, detail: `p99 ${p99.toFixed(2)} ms` }],
    };
  },
};
export default suite;
