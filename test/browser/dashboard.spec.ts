import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describeWithBinary } from '../support/describe-with-binary.js';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = '/usr/bin/chromium';
// The README's picture is taken at a calmer pace than the test's, so its charts show rates, not jitter.
const INTERVAL_MS = process.env.UPDATE_SCREENSHOT === '1' ? 1_500 : 400;
// `npm run screenshot` refreshes the picture the README shows; a plain test run writes it under .tmp/.
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1' ? join(process.cwd(), 'docs', 'dashboard.png') : join(process.cwd(), '.tmp', 'dashboard.png');

const throughputSamples = (page: Page, channel: string) =>
  page.$eval(`[data-channel="${channel}"] polyline`, (line) => (line.getAttribute('points') ?? '').split(' ').filter(Boolean).length);

describeWithBinary(
  'dashboard in headless Chromium',
  { label: 'chromium', found: existsSync(CHROMIUM), install: 'Debian: apt-get install -y chromium' },
  () => {
    let server: DemoServer;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      server = await startDemoServer({
        PUBSUB_HEALTH_BROADCAST_INTERVAL: String(INTERVAL_MS),
        PUBSUB_METRICS_BROADCAST_INTERVAL: String(INTERVAL_MS),
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
      await page.goto(server.url);
    }, 30_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('loads with every channel, the live node and a health status, and its numbers move', async () => {
      await page.waitForFunction(
        () => /healthy|degraded|unhealthy/.test(document.querySelector('[data-testid="health-status"]')?.textContent ?? ''),
        null,
        { timeout: 5_000 },
      );
      expect(await page.$$eval('[data-channel]', (rows) => rows.map((row) => (row as HTMLElement).dataset.channel))).toHaveLength(10);
      expect(await page.textContent('[data-testid="nodes"]')).toContain('(this node)');

      const first = await throughputSamples(page, 'events');
      await page.waitForFunction(
        (before) => {
          const points = document.querySelector('[data-channel="events"] polyline')?.getAttribute('points') ?? '';
          return points.split(' ').filter(Boolean).length >= before + 2;
        },
        first,
        { timeout: 5_000 },
      );
      expect(await page.textContent('[data-channel="events"] [data-field="throughput"]')).toMatch(/^[\d.]+\/s$/);
      expect(await page.textContent('[data-channel="health"] [data-field="subscriptions"]')).toMatch(/^[1-9]\d*$/);
    });

    it('shows an alert raised through POST /demo/alert within 2 seconds', async () => {
      const text = `operator check ${Date.now()}`;
      const started = Date.now();
      const response = await fetch(`${server.url}/demo/alert`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: text }),
      });
      expect(response.status).toBe(202);
      await page.waitForFunction((wanted) => (document.querySelector('[data-testid="alerts"]')?.textContent ?? '').includes(wanted), text, {
        timeout: 2_000,
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('stops the broadcasters with the toggle and restarts them', async () => {
      await page.click('[data-testid="integration-toggle"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="integration-state"]')?.textContent === 'paused', null, {
        timeout: 2_000,
      });
      await page.waitForTimeout(INTERVAL_MS); // a broadcast already on its way may still arrive
      const paused = await throughputSamples(page, 'events');
      await page.waitForTimeout(INTERVAL_MS * 4);
      expect(await throughputSamples(page, 'events')).toBe(paused);

      await page.click('[data-testid="integration-toggle"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="integration-state"]')?.textContent === 'broadcasting', null, {
        timeout: 2_000,
      });
      await page.waitForFunction(
        (before) => {
          const points = document.querySelector('[data-channel="events"] polyline')?.getAttribute('points') ?? '';
          return points.split(' ').filter(Boolean).length > before;
        },
        paused,
        { timeout: 5_000 },
      );
    });

    it('had no console errors and no failed requests, and writes the screenshot', async () => {
      // For the README's picture, let the charts fill up a little first.
      if (process.env.UPDATE_SCREENSHOT === '1') await page.waitForTimeout(30_000);
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(existsSync(SCREENSHOT)).toBe(true);
      expect(problems).toEqual([]);
    }, 45_000);
  },
);
