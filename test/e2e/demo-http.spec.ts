import { PubSubManager } from '@gater/pubsub';
import { readEvents, startDemoServer, type DemoServer } from '../support/demo-server.js';
import { tick } from '../support/pubsub-app.js';

describe('demo HTTP endpoints', () => {
  let server: DemoServer;

  beforeAll(async () => {
    server = await startDemoServer({ PUBSUB_HEALTH_BROADCAST_INTERVAL: '300', PUBSUB_METRICS_BROADCAST_INTERVAL: '300' });
  });

  afterAll(async () => {
    await server?.close();
  });

  const alertSubscriptions = () => server.app.get(PubSubManager).channel('alerts').stats().subscriptions;

  it('streams a channel as Server-Sent Events and releases the subscription when the client leaves', async () => {
    const before = alertSubscriptions();
    const events = await readEvents(`${server.url}/pubsub/stream?channel=alerts&pattern=system_alerts:*`, 1, 5_000, () => {
      void fetch(`${server.url}/demo/alert`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'disk almost full' }),
      });
    });
    expect(events[0]).toMatchObject({ channel: 'alerts', topic: 'system_alerts:warning', type: 'system_alert' });
    expect(events.some((event) => (event as { payload: { title?: string } }).payload.title === 'disk almost full')).toBe(true);

    const deadline = Date.now() + 3_000;
    while (alertSubscriptions() !== before && Date.now() < deadline) await tick(20);
    expect(alertSubscriptions()).toBe(before);
  });

  it('answers a bad stream query with a 400 naming the parameter', async () => {
    const unknown = await fetch(`${server.url}/pubsub/stream?channel=nope`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ statusCode: 400, parameter: 'channel' });

    const missing = await fetch(`${server.url}/pubsub/stream`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ parameter: 'channel' });

    const pattern = await fetch(`${server.url}/pubsub/stream?channel=health&pattern=${encodeURIComponent('cluster::health')}`);
    expect(pattern.status).toBe(400);
    expect(await pattern.json()).toMatchObject({ parameter: 'pattern' });
  });

  it('serves Prometheus metrics per channel, never per topic', async () => {
    await tick(400);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^gater_pubsub_messages_published_total\{channel="events"\} [1-9]/m);
    expect(text).toMatch(/^gater_pubsub_mailbox_depth\{channel="alerts"\} \d+/m);
    expect(text).toMatch(/^gater_pubsub_transport_connected 1$/m);
    expect(text).not.toMatch(/topic=/);
  });

  it('reports health through terminus with per-channel detail', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; info: { pubsub: Record<string, any> } };
    expect(body.status).toBe('ok');
    expect(body.info.pubsub.status).toBe('up');
    expect(JSON.stringify(body.info.pubsub)).toMatch(/"subscriptions":\d+/);
    expect(JSON.stringify(body.info.pubsub)).toMatch(/"mailboxDepth":\d+/);
  });

  it('switches the integration layer and raises alerts on request', async () => {
    const off = await fetch(`${server.url}/pubsub/integration/disable`, { method: 'POST' });
    expect(await off.json()).toEqual({ integration: false });
    const status = (await (await fetch(`${server.url}/pubsub/status`)).json()) as { integration: boolean; nodes: string[] };
    expect(status.integration).toBe(false);
    expect(status.nodes).toHaveLength(1);
    const on = await fetch(`${server.url}/pubsub/integration/enable`, { method: 'POST' });
    expect(await on.json()).toEqual({ integration: true });

    const raised = await fetch(`${server.url}/demo/alert`, { method: 'POST' });
    expect(raised.status).toBe(202);
    expect(await raised.json()).toMatchObject({ ok: true });
  });

  it('serves the dashboard page and its icon', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="integration-toggle"');
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(200);
  });
});
