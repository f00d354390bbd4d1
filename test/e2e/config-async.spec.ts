import { afterEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { PubSubConfigService, PubSubManager } from '@gater/pubsub';
import { PUBSUB_RUNTIME } from '../../libs/pubsub/src/module/pubsub-module-definition.js';
import type { PubSubRuntime } from '../../libs/pubsub/src/module/pubsub-runtime.js';
// The README's forRootAsync example, verbatim (test/types/readme-examples.spec.ts checks that they match).
import { AppModule } from './fixtures/config-app.module.js';

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

describe('forRootAsync with @nestjs/config (the README example)', () => {
  it('takes its options from ConfigService', async () => {
    process.env.NODE_NAME = 'config-node';
    process.env.SECRET_KEY_BASE = 'a-secret-from-the-environment';
    process.env.HEALTH_BROADCAST_MS = '4321';
    delete process.env.REDIS_URL;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await moduleRef.init();
    expect(moduleRef.get(PubSubManager).nodeName).toBe('config-node');
    expect(moduleRef.get(PubSubConfigService).healthBroadcastInterval).toBe(4321);
    const { settings } = moduleRef.get<PubSubRuntime>(PUBSUB_RUNTIME).core;
    expect(settings.secretKeys).toEqual(['a-secret-from-the-environment']);
    expect(settings.transport.type).toBe('memory');
    await moduleRef.close();
  });

  it('a value that is not a number fails start-up naming the option', async () => {
    process.env.HEALTH_BROADCAST_MS = 'soon';
    await expect(Test.createTestingModule({ imports: [AppModule] }).compile()).rejects.toThrow('healthBroadcastInterval');
  });
});
