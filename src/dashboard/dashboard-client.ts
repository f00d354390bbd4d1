/// <reference lib="dom" />
/**
 * The dashboard's browser code. It is a real function, type-checked with the rest of the demo, and sent to the
 * browser as its source text (see dashboard-page.ts), so it must not reference anything outside itself.
 * It reads /pubsub/status once, then follows five Server-Sent-Event streams and never reloads.
 */
export function dashboardClient(channels: readonly string[], chartPoints: number): void {
  interface Payload {
    operation?: string;
    count?: number;
    durationMs?: number;
    component?: string;
    status?: string;
    details?: {
      mailboxDepth?: number;
      handlerErrors?: number;
      failedPublications?: number;
      dropped?: number;
      lost?: number;
      subscriptions?: number;
    };
    severity?: string;
    title?: string;
    message?: string;
    source?: string;
    userId?: string;
    claimedNode?: string;
    node?: string;
    reason?: string;
    violationType?: string;
    resource?: string;
    activeNodes?: unknown[];
  }
  interface Message {
    id: string;
    channel: string;
    topic: string;
    type: string;
    payload: Payload;
    timestamp: number;
    node: string;
  }
  interface Row {
    throughput: HTMLElement;
    depth: HTMLElement;
    errors: HTMLElement;
    drops: HTMLElement;
    subscriptions: HTMLElement;
    status: HTMLElement;
    line: SVGPolylineElement;
    samples: number[];
  }

  const rows = new Map<string, Row>();
  let localNode = '';
  let integration = true;
  const byTestId = (id: string) => document.querySelector('[data-testid="' + id + '"]') as HTMLElement;
  const cell = (row: HTMLElement, name: string) => row.querySelector('[data-field="' + name + '"]') as HTMLElement;
  const time = (ms: number) => new Date(ms).toLocaleTimeString();

  const table = byTestId('channels');
  for (const name of channels) {
    const row = document.createElement('tr');
    row.dataset.channel = name;
    row.innerHTML =
      '<th scope="row">' +
      name +
      '</th><td><svg class="chart" viewBox="0 0 ' +
      (chartPoints - 1) +
      ' 30" preserveAspectRatio="none">' +
      '<polyline points="" /></svg></td><td data-field="throughput">–</td><td data-field="depth">–</td>' +
      '<td data-field="errors">–</td><td data-field="drops">–</td><td data-field="subscriptions">–</td><td data-field="status">–</td>';
    table.appendChild(row);
    rows.set(name, {
      throughput: cell(row, 'throughput'),
      depth: cell(row, 'depth'),
      errors: cell(row, 'errors'),
      drops: cell(row, 'drops'),
      subscriptions: cell(row, 'subscriptions'),
      status: cell(row, 'status'),
      line: row.querySelector('polyline') as SVGPolylineElement,
      samples: [],
    });
  }

  function showNodes(nodes: string[]): void {
    const list = byTestId('nodes');
    list.replaceChildren(
      ...nodes.map((node) => {
        const item = document.createElement('li');
        item.textContent = node + (node === localNode ? ' (this node)' : '');
        return item;
      }),
    );
  }

  function showIntegration(enabled: boolean): void {
    integration = enabled;
    const button = byTestId('integration-toggle');
    button.textContent = enabled ? 'Integration on: disable' : 'Integration off: enable';
    button.setAttribute('aria-pressed', String(enabled));
    byTestId('integration-state').textContent = enabled ? 'broadcasting' : 'paused';
  }

  function prepend(listId: string, text: string, className: string, keep: number): void {
    const list = byTestId(listId);
    const item = document.createElement('li');
    item.className = className;
    item.textContent = text;
    list.prepend(item);
    while (list.children.length > keep) list.lastElementChild?.remove();
  }

  function onThroughput(message: Message): void {
    if (message.node !== localNode || message.type !== 'throughput_metric') return;
    const channel = String(message.payload.operation ?? '').replace(/^publish:/, '');
    const row = rows.get(channel);
    if (row === undefined) return;
    const seconds = Math.max(0.001, Number(message.payload.durationMs) / 1000);
    const rate = Number(message.payload.count) / seconds;
    row.throughput.textContent = rate.toFixed(rate < 10 ? 1 : 0) + '/s';
    row.samples.push(rate);
    if (row.samples.length > chartPoints) row.samples.shift();
    const top = Math.max(1, ...row.samples);
    // Right-aligned: the newest sample is always at the right edge, the chart fills up to the left.
    const offset = chartPoints - row.samples.length;
    row.line.setAttribute('points', row.samples.map((value, i) => offset + i + ',' + (29 - (value / top) * 27).toFixed(1)).join(' '));
  }

  function onHealth(message: Message): void {
    const p = message.payload;
    if (message.type === 'component_health_updated' && message.topic.startsWith('channel_health:') && message.node === localNode) {
      const row = rows.get(String(p.component));
      if (row === undefined) return;
      const d = p.details ?? {};
      row.depth.textContent = String(d.mailboxDepth ?? 0);
      row.errors.textContent = String((d.handlerErrors ?? 0) + (d.failedPublications ?? 0));
      row.drops.textContent = String((d.dropped ?? 0) + (d.lost ?? 0));
      row.subscriptions.textContent = String(d.subscriptions ?? 0);
      row.status.textContent = String(p.status);
      row.status.className = 'status-' + String(p.status);
    } else if (message.type === 'node_health_updated' && message.node === localNode) {
      const status = byTestId('health-status');
      status.textContent = String(p.status);
      status.className = 'status-' + String(p.status);
      byTestId('health-checked').textContent = 'at ' + time(message.timestamp);
    }
  }

  function onAlert(message: Message): void {
    const p = message.payload;
    const severity = String(p.severity ?? message.topic.split(':')[1] ?? 'info');
    const text = String(p.title ?? p.message ?? message.type);
    const source = p.source === undefined ? 'simulated' : String(p.source);
    prepend('alerts', time(message.timestamp) + ' ' + severity + ' [' + source + '] ' + text, 'severity-' + severity, 12);
  }

  function onSecurity(message: Message): void {
    const p = message.payload;
    const who = p.userId ?? p.claimedNode ?? p.node ?? '';
    const what = p.reason ?? p.violationType ?? p.resource ?? '';
    const simulated = message.type === 'authentication_failure' ? ' [simulated]' : '';
    prepend(
      'security',
      time(message.timestamp) + ' ' + message.type + simulated + ': ' + String(who) + ' ' + String(what),
      'security-event',
      8,
    );
  }

  function onMembership(message: Message): void {
    if (Array.isArray(message.payload.activeNodes)) showNodes(message.payload.activeNodes.map(String));
  }

  function follow(channel: string, pattern: string, handle: (message: Message) => void): void {
    const source = new EventSource('/pubsub/stream?channel=' + channel + '&pattern=' + encodeURIComponent(pattern));
    source.onmessage = (event) => handle(JSON.parse(event.data) as Message);
    // EventSource reconnects by itself; show the state instead of logging.
    source.onerror = () => (byTestId('connection').textContent = 'reconnecting…');
    source.onopen = () => (byTestId('connection').textContent = 'live');
  }

  byTestId('integration-toggle').addEventListener('click', async () => {
    const response = await fetch('/pubsub/integration/' + (integration ? 'disable' : 'enable'), { method: 'POST' });
    if (response.ok) showIntegration(((await response.json()) as { integration: boolean }).integration);
  });

  void fetch('/pubsub/status')
    .then((response) => response.json())
    .then(
      (status: {
        node: string;
        nodes: string[];
        integration: boolean;
        channels: Array<{ channel: string; subscriptions: number; mailboxDepth: number }>;
      }) => {
        localNode = status.node;
        byTestId('node').textContent = status.node;
        showNodes(status.nodes);
        showIntegration(status.integration);
        for (const stats of status.channels) {
          const row = rows.get(stats.channel);
          if (row === undefined) continue;
          row.depth.textContent = String(stats.mailboxDepth);
          row.subscriptions.textContent = String(stats.subscriptions);
        }
        follow('metrics', 'throughput', onThroughput);
        follow('health', '*', onHealth);
        follow('alerts', '*', onAlert);
        follow('security', '*', onSecurity);
        follow('lifecycle', 'cluster_membership', onMembership);
      },
    );
}
