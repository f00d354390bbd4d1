import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, type DynamicModule, type Provider } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { ModuleRef } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { HealthChannel, PubSubManager, PubSubModule, type PubSubMessage, type PubSubModuleOptions } from '@gater/pubsub';
import { EVENT_EMITTER_PEER, bridgedEventName, startEventEmitterBridge } from '../../libs/pubsub/src/module/event-emitter-bridge.js';
import { createChannels } from '../support/channels.js';
import { waitFor } from '../support/integration-helpers.js';

@Injectable()
class ExactListener {
  readonly heard: PubSubMessage[] = [];
  @OnEvent('health.cluster.health')
  onClusterHealth(message: PubSubMessage) {
    this.heard.push(message);
  }
}

@Injectable()
class WildcardListener {
  readonly oneLevel: string[] = [];
  readonly anyDepth: string[] = [];
  readonly lifecycle: string[] = [];
  @OnEvent('health.cluster.*')
  onCluster(message: PubSubMessage) {
    this.oneLevel.push(message.topic);
  }
  @OnEvent('health.**')
  onAnyHealth(message: PubSubMessage) {
    this.anyDepth.push(message.topic);
  }
  @OnEvent('system.lifecycle')
  onLifecycle(message: PubSubMessage<{ event: string }>) {
    this.lifecycle.push(message.payload.event);
  }
}

@Injectable()
class FailingListener {
  @OnEvent('health.**', { suppressErrors: false })
  fail() {
    throw new Error('listener failed on purpose');
  }
}

let app: TestingModule | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(imports: DynamicModule[], options: PubSubModuleOptions, providers: Provider[]): Promise<TestingModule> {
  app = await Test.createTestingModule({
    imports: [...imports, PubSubModule.forRoot({ integration: false, ...options })],
    providers,
  }).compile();
  await app.init();
  return app;
}

describe('eventEmitter bridge: channels re-emitted on EventEmitter2', () => {
  it('names events channel + topic segments joined by the delimiter', () => {
    expect(bridgedEventName('health', 'cluster:health')).toBe('health.cluster.health');
    expect(bridgedEventName('health', 'cluster:health', ':')).toBe('health:cluster:health');
    expect(bridgedEventName('audit', 'user_login')).toBe('audit.user_login');
  });

  it('existing @OnEvent handlers hear the bridged channels only (EventEmitterModule.forRoot(), no wildcard)', async () => {
    const started = await start([EventEmitterModule.forRoot()], { eventEmitter: { channels: ['health'] } }, [ExactListener]);
    const health = started.get(HealthChannel);
    expect(health.stats().subscriptions).toBe(1); // one subscription per bridged channel
    expect(health.publish('cluster:health', 'cluster_checked', { status: 'healthy' })).toMatchObject({ ok: true });
    health.publish('cluster:other', 'ignored', {});
    started.get(PubSubManager).channel('alerts').publish('cluster:health', 'not_bridged', {});
    const listener = started.get(ExactListener);
    await waitFor(() => listener.heard.length >= 1, 'the bridged message');
    await started.get(PubSubManager).drain(1_000);
    expect(listener.heard).toHaveLength(1);
    expect(listener.heard[0]).toMatchObject({
      channel: 'health',
      topic: 'cluster:health',
      type: 'cluster_checked',
      payload: { status: 'healthy' },
    });
  });

  it('wildcard listeners (wildcard: true) hear them too, and the started announcement', async () => {
    const started = await start(
      [EventEmitterModule.forRoot({ wildcard: true })],
      {
        integration: true,
        healthBroadcastInterval: 600_000,
        metricsBroadcastInterval: 600_000,
        eventEmitter: { channels: ['health', 'system'] },
      },
      [WildcardListener],
    );
    const health = started.get(HealthChannel);
    health.publish('cluster:health', 'cluster_checked', {});
    health.publish('cluster:members:count', 'deep', {});
    health.publish('store:s1:health', 'store', {});
    const listener = started.get(WildcardListener);
    await waitFor(() => listener.anyDepth.length >= 3 && listener.lifecycle.length >= 1, 'the wildcard listeners');
    expect(listener.oneLevel).toEqual(['cluster:health']);
    expect(listener.anyDepth).toEqual(['cluster:health', 'cluster:members:count', 'store:s1:health']);
    expect(listener.lifecycle).toEqual(['started']);
  });

  it('the started announcement waits for @OnEvent listeners, whichever module is imported first', async () => {
    app = await Test.createTestingModule({
      imports: [
        PubSubModule.forRoot({
          healthBroadcastInterval: 600_000,
          metricsBroadcastInterval: 600_000,
          eventEmitter: { channels: ['system'] },
        }),
        EventEmitterModule.forRoot({ wildcard: true }),
      ],
      providers: [WildcardListener],
    }).compile();
    await app.init();
    const listener = app.get(WildcardListener);
    await waitFor(() => listener.lifecycle.length >= 1, 'the started announcement');
    expect(listener.lifecycle).toEqual(['started']);
  });

  it("uses the emitter's own delimiter", async () => {
    @Injectable()
    class ColonListener {
      readonly heard: string[] = [];
      @OnEvent('health:cluster:*')
      on(message: PubSubMessage) {
        this.heard.push(message.topic);
      }
    }
    const started = await start(
      [EventEmitterModule.forRoot({ wildcard: true, delimiter: ':' })],
      { eventEmitter: { channels: ['health'] } },
      [ColonListener],
    );
    started.get(HealthChannel).publish('cluster:health', 'cluster_checked', {});
    await waitFor(() => started.get(ColonListener).heard.length >= 1, 'the colon-delimited event');
    expect(started.get(ColonListener).heard).toEqual(['cluster:health']);
  });

  it('a listener error that reaches the emitter is a counted handler error; delivery goes on', async () => {
    const started = await start([EventEmitterModule.forRoot({ wildcard: true })], { eventEmitter: { channels: ['health'] } }, [
      FailingListener,
    ]);
    const health = started.get(HealthChannel);
    health.publish('a', 't', {});
    health.publish('b', 't', {});
    await waitFor(() => health.stats().handlerErrors >= 2, 'two counted handler errors');
    expect(health.stats()).toMatchObject({ handlerErrors: 2, subscriptions: 1 });
  });

  it('start-up fails naming EventEmitterModule.forRoot() when the application does not import it', async () => {
    await expect(start([], { eventEmitter: { channels: ['health'] } }, [])).rejects.toThrow(/EventEmitterModule\.forRoot\(\)/);
    app = undefined;
  });

  it('start-up fails naming the package when @nestjs/event-emitter is not installed', async () => {
    const missing = { ...EVENT_EMITTER_PEER, specifier: '@nestjs/event-emitter-not-installed' };
    const moduleRef = { get: () => ({}) } as unknown as ModuleRef;
    await expect(startEventEmitterBridge(createChannels(), ['health'], moduleRef, missing)).rejects.toMatchObject({
      code: 'missing_peer',
      message: expect.stringMatching(
        /the eventEmitter option needs the optional peer dependency '@nestjs\/event-emitter-not-installed'.*npm install/,
      ),
    });
  });

  it('an unknown channel in eventEmitter.channels fails start-up naming the option', async () => {
    await expect(
      Test.createTestingModule({ imports: [PubSubModule.forRoot({ eventEmitter: { channels: ['nope' as never] } })] }).compile(),
    ).rejects.toThrow(/eventEmitter must be \{ channels: \[\.\.\.\] \}/);
  });
});
