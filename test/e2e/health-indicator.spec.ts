import 'reflect-metadata';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { PubSubHealthIndicator, PubSubModule, PubSubManager, type PubSubModuleOptions } from '@gater/pubsub';
import { loadPeer } from '../../libs/pubsub/src/load-peer.js';
import { PubSubError } from '../../libs/pubsub/src/pubsub-error.js';
import { deferred, waitFor } from '../support/channels.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pubsub: PubSubHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.pubsub.isHealthy()]);
  }
}

async function startHttpApp(options: PubSubModuleOptions): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false }), PubSubModule.forRoot({ integration: false, ...options })],
    controllers: [HealthController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `${await app.getUrl()}/health` };
}

describe('PubSubHealthIndicator in an application with TerminusModule', () => {
  it('is up with per-channel detail while the channels are open and the transport connected', async () => {
    const { app, url } = await startHttpApp({ nodeName: 'health-up', channels: { metrics: { mailboxSize: 1 } } });
    try {
      const metrics = app.get(PubSubManager).channel('metrics');
      const held = deferred();
      metrics.subscribe('m', () => held.promise, { overflow: 'drop-newest' });
      for (let i = 0; i < 3; i++) metrics.publish('m', 't', i);
      // The first message is in flight, the next two were dropped; one more waits in the mailbox.
      await waitFor(() => metrics.stats().mailboxDepth === 0, 'the first call to start');
      metrics.publish('m', 't', 3);
      const response = await fetch(url);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { status: string; info: Record<string, any> };
      expect(body.status).toBe('ok');
      const pubsub = body.info.pubsub;
      expect(pubsub).toEqual(
        expect.objectContaining({ status: 'up', node: 'health-up', nodes: 1, transport: { type: 'memory', connected: true } }),
      );
      expect(Object.keys(pubsub.channels)).toHaveLength(10);
      expect(pubsub.channels.metrics).toEqual({
        open: true,
        subscriptions: 1,
        mailboxDepth: 1,
        recentDrops: 2,
        dropped: 2,
        recentLost: 0,
        lost: 0,
      });
      expect(pubsub.channels.events).toEqual(expect.objectContaining({ open: true, subscriptions: 0, mailboxDepth: 0 }));
      expect(pubsub.problems).toBeUndefined();
      held.resolve();
    } finally {
      await app.close();
    }
  });

  it('is down once the channels are closed', async () => {
    const { app } = await startHttpApp({ nodeName: 'health-closed' });
    const indicator = app.get(PubSubHealthIndicator);
    const health = app.get(HealthCheckService);
    expect((await indicator.isHealthy('bus')).bus.status).toBe('up');
    await app.close();
    const result = await indicator.isHealthy('bus');
    expect(result.bus.status).toBe('down');
    expect(result.bus.channels.events.open).toBe(false);
    expect(result.bus.problems).toEqual([expect.stringContaining('channels closed: events, system')]);
    // Terminus turns a down indicator into its 503 error with the details.
    await expect(health.check([() => indicator.isHealthy()])).rejects.toMatchObject({
      response: { error: { pubsub: expect.objectContaining({ status: 'down' }) } },
    });
  });

  it('is down over HTTP (503) while the transport is not connected', async () => {
    // Nothing listens on port 1: the Redis transport starts anyway, keeps retrying, and is not connected.
    const { app, url } = await startHttpApp({
      nodeName: 'health-redis-down',
      secretKeyBase: 'health-indicator-test-secret',
      transport: { type: 'redis', url: 'redis://127.0.0.1:1' },
    });
    try {
      const response = await fetch(url);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { status: string; error: Record<string, any> };
      expect(body.status).toBe('error');
      expect(body.error.pubsub).toEqual(expect.objectContaining({ status: 'down', transport: { type: 'redis', connected: false } }));
      expect(body.error.pubsub.problems).toEqual(["transport 'redis' is not connected"]);
      expect(body.error.pubsub.channels.alerts.open).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('names the package when the optional peer cannot be loaded', async () => {
    const peer = { specifier: '@nestjs/terminus-not-installed', range: '^11.0.0', feature: 'PubSubHealthIndicator' };
    const failure = loadPeer(peer);
    await expect(failure).rejects.toBeInstanceOf(PubSubError);
    await expect(failure).rejects.toMatchObject({ code: 'missing_peer' });
    await expect(failure).rejects.toThrow(
      /PubSubHealthIndicator needs the optional peer dependency '@nestjs\/terminus-not-installed'.*npm install/,
    );
  });
});
