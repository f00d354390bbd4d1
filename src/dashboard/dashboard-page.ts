import { CHANNEL_NAMES } from '@gater/pubsub';
import { dashboardClient } from './dashboard-client.js';

/** Throughput samples a channel's chart keeps: at the demo's 5 s pace, the last five minutes. */
const CHART_POINTS = 60;

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0 auto; max-width: 1180px; padding: 1.2rem; }
  header { display: flex; gap: 1.5rem; align-items: baseline; flex-wrap: wrap; }
  h1 { font-size: 1.35rem; margin: 0; }
  .meta { color: GrayText; }
  main { display: grid; grid-template-columns: 3fr 2fr; gap: 1.2rem; margin-top: 1rem; }
  section { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 8px; padding: 0.8rem; }
  h2 { font-size: 1rem; margin: 0 0 0.5rem; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: 0.25rem 0.4rem; text-align: right; border-bottom: 1px solid color-mix(in srgb, CanvasText 10%, transparent); }
  th[scope=row], thead th:first-child { text-align: left; }
  .chart { width: 180px; height: 30px; display: block; background: color-mix(in srgb, CanvasText 4%, transparent); border-radius: 3px; }
  .chart polyline { fill: none; stroke: #2f7de1; stroke-width: 1.2; vector-effect: non-scaling-stroke; }
  ul { list-style: none; margin: 0; padding: 0; font-size: 0.88rem; }
  li { padding: 0.2rem 0; border-bottom: 1px dotted color-mix(in srgb, CanvasText 15%, transparent); }
  .status-healthy { color: #1f9d55; } .status-degraded { color: #c98a00; } .status-unhealthy { color: #d33; }
  .severity-critical, .severity-error { color: #d33; } .severity-warning { color: #c98a00; }
  button { font: inherit; padding: 0.35rem 0.8rem; border-radius: 6px; cursor: pointer; }
`;

/** The whole dashboard: markup, style and the client script, one response and no external resource. */
export function renderDashboardPage(): string {
  const script = `(${dashboardClient.toString()})(${JSON.stringify(CHANNEL_NAMES)}, ${CHART_POINTS});`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>@gater/pubsub dashboard</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <style>${STYLE}</style>
</head>
<body>
  <header>
    <h1>@gater/pubsub</h1>
    <span class="meta">node <strong data-testid="node">…</strong></span>
    <span class="meta">health <strong data-testid="health-status">waiting for the first broadcast</strong> <span data-testid="health-checked"></span></span>
    <span class="meta">stream <span data-testid="connection">connecting…</span></span>
    <span class="meta">integration <span data-testid="integration-state">…</span></span>
    <button type="button" data-testid="integration-toggle">…</button>
  </header>
  <main>
    <section>
      <h2>Channels (this node, per broadcast interval)</h2>
      <table>
        <thead><tr><th>channel</th><th>throughput</th><th>msg/s</th><th>mailbox depth</th><th>errors</th><th>drops + lost</th><th>subscriptions</th><th>status</th></tr></thead>
        <tbody data-testid="channels"></tbody>
      </table>
    </section>
    <div>
      <section><h2>Live nodes</h2><ul data-testid="nodes"></ul></section>
      <section><h2>Latest alerts</h2><ul data-testid="alerts"></ul></section>
      <section><h2>Security events</h2><ul data-testid="security"></ul></section>
    </div>
  </main>
  <script>${script}</script>
</body>
</html>`;
}

export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#2f7de1"/><path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>';
