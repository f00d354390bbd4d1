import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import {
  HealthChannel,
  OnHealth,
  PubSubConfigService,
  PubSubManager,
  PubSubModule,
  RecordingTimeoutError,
  recordMessages,
  SystemChannel,
  type PubSubMessage,
} from '@gater/pubsub';
import { PUBSUB_RUNTIME } from '../../libs/pubsub/src/module/pubsub-module-definition.js';
import type { PubSubRuntime } from '../../libs/pubsub/src/module/pubsub-runtime.js';
import { resolvePubSubSettings } from '../../libs/pubsub/src/module/pubsub-settings.js';

@Injectable()
class StoreHealthHandler {
  readonly seen: string[] = [];
  @OnHealth('store:*')
  onStore(message: PubSubMessage<{ storeId: string }>) {
    this.seen.push(message.payload.storeId);
    if (message.payload.storeId === 'broken') throw new Error('handler failed on purpose');
  }
}

async function testApp(options: Parameters<typeof PubSubModule.forTest>[0] = {}) {
  const moduleRef = await Test.createTestingModule({
    imports: [PubSubModule.forTest(options), ScheduleModule.forRoot()],
    providers: [StoreHealthHandler],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
  jest.restoreAllMocks();
});

describe('PubSubModule.forTest', () => {
  it('uses the memory transport and no integration layer whatever the environment says', async () => {
    process.env.PUBSUB_REDIS_URL = 'redis://127.0.0.1:1';
    process.env.PUBSUB_INTEGRATION = 'true';
    // The same environment makes forRoot pick the Redis transport and the integration layer.
    expect(resolvePubSubSettings({})).toMatchObject({ integration: true, transport: { type: 'redis' } });
    const app = await testApp();
    expect(app.get<PubSubRuntime>(PUBSUB_RUNTIME).core.settings).toMatchObject({ integration: false, transport: { type: 'memory' } });
    const system = recordMessages(app.get(SystemChannel), '*');
    expect(app.get(PubSubManager).nodes()).toEqual([app.get(PubSubManager).nodeName]);
    expect(app.get(PubSubConfigService).isEnabled()).toBe(false);
    expect(app.get(SchedulerRegistry).getIntervals()).toEqual([]);
    await app.get(PubSubManager).drain(1_000);
    await app.close();
    // Neither 'started' nor 'stopping': the integration layer announces them, and it is off.
    expect(system.messages).toEqual([]);
  });

  it('binds decorated handlers, keeps warnings quiet and still reports handler errors', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const app = await testApp({ nodeName: 'test-node' });
    const health = app.get(HealthChannel);
    expect(health.publish('not a topic', 'x')).toMatchObject({ ok: false, reason: 'invalid_topic' });
    expect(health.publish('store:a', 'store_checked', { storeId: 'a' })).toMatchObject({ ok: true });
    expect(health.publish('store:b', 'store_checked', { storeId: 'broken' })).toMatchObject({ ok: true });
    await app.get(PubSubManager).drain(1_000);
    expect(app.get(StoreHealthHandler).seen).toEqual(['a', 'broken']);
    expect(warn).not.toHaveBeenCalled();
    expect(error.mock.calls.map(([message]) => String(message)).join('\n')).toContain('handler failed on purpose');
    await app.close();
  });

  it('forRoot logs the same refusal through Nest, which forTest keeps quiet', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({ imports: [PubSubModule.forRoot({ integration: false })] }).compile();
    await moduleRef.init();
    moduleRef.get(HealthChannel).publish('not a topic', 'x');
    expect(warn.mock.calls.map(([message]) => String(message)).join('\n')).toContain('invalid_topic');
    await moduleRef.close();
  });
});

describe('recordMessages', () => {
  it('waitFor resolves to the first n messages once they arrived, typed by the caller', async () => {
    const app = await testApp();
    const health = app.get(HealthChannel);
    const recorder = recordMessages<{ storeId: string }>(health, 'store:*');
    const waiting = recorder.waitFor(2);
    health.publish('store:a', 'store_checked', { storeId: 'a' });
    health.publish('other', 'ignored', {});
    health.publish('store:b', 'store_checked', { storeId: 'b' });
    health.publish('store:c', 'store_checked', { storeId: 'c' });
    const messages = await waiting;
    expect(messages.map((m) => m.payload.storeId)).toEqual(['a', 'b']);
    expect((await recorder.waitFor(3)).map((m) => m.topic)).toEqual(['store:a', 'store:b', 'store:c']);
    expect(await recorder.waitFor(0)).toEqual([]);
    recorder.unsubscribe();
    expect(recorder.subscription.closed).toBe(true);
    await app.close();
  });

  it('waitFor rejects with what did arrive when the time is up', async () => {
    const app = await testApp();
    const health = app.get(HealthChannel);
    const recorder = recordMessages(health, ['store:*', 'cluster:*']);
    health.publish('store:a', 'store_checked', { storeId: 'a' });
    const failure = await recorder.waitFor(3, 50).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RecordingTimeoutError);
    const timeout = failure as RecordingTimeoutError;
    expect(timeout.code).toBe('wait_timeout');
    expect(timeout.messages.map((m) => m.topic)).toEqual(['store:a']);
    expect(timeout.message).toContain("expected 3 message(s) on channel 'health'");
    expect(timeout.message).toContain("got 1: 'store_checked' on 'store:a'");
    await app.close();
  });

  it('unsubscribe rejects pending waits at once, and later waits too', async () => {
    const app = await testApp();
    const recorder = recordMessages(app.get(HealthChannel), 'store:*');
    const pending = recorder.waitFor(1, 10_000).catch((error: unknown) => error);
    recorder.unsubscribe();
    expect(await pending).toMatchObject({ code: 'wait_timeout', messages: [] });
    expect(await recorder.waitFor(1).catch((error: unknown) => error)).toBeInstanceOf(RecordingTimeoutError);
    expect(await recorder.waitFor(-1).catch((error: unknown) => error)).toMatchObject({ code: 'invalid_argument' });
    await app.close();
  });
});
