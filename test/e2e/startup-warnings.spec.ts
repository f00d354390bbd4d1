import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { OnHealth, PubSubModule, type PubSubMessage } from '@gater/pubsub';

@Injectable()
class HealthHandler {
  @OnHealth('store:*')
  onHealth(message: PubSubMessage) {
    void message;
  }
}

@Injectable()
class BaseHandler {
  @OnHealth('store:*')
  onStore(message: PubSubMessage) {
    void message;
  }
}

@Injectable()
class OverridingHandler extends BaseHandler {
  override onStore(message: PubSubMessage) {
    void message;
  }
}

@Injectable()
class StaticHandler {
  @OnHealth('store:*')
  static onStore(message: PubSubMessage) {
    void message;
  }
}

function warnings(): () => string[] {
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  return () => warn.mock.calls.map(([message]) => String(message));
}

async function boot(metadata: Parameters<typeof Test.createTestingModule>[0]) {
  const app = await Test.createTestingModule(metadata).compile();
  await app.init();
  await app.close();
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('start-up warnings', () => {
  it('a second forRoot with different options is named once, without its values', async () => {
    const logged = warnings();
    @Module({ imports: [PubSubModule.forRoot({ integration: false, nodeName: 'first', secretKeyBase: 'secret-one' })] })
    class FirstFeature {}
    @Module({
      imports: [
        PubSubModule.forRoot({
          integration: false,
          nodeName: 'second',
          secretKeyBase: 'secret-two',
          channels: { health: { mailboxSize: 5 } },
        }),
      ],
    })
    class SecondFeature {}
    await boot({ imports: [FirstFeature, SecondFeature] });
    const differing = logged().filter((text) => text.includes('another PubSubModule.forRoot'));
    expect(differing).toHaveLength(1);
    expect(differing[0]).toContain('different channels, nodeName, secretKeyBase');
    expect(differing[0]).not.toContain('secret-two');
  });

  it('the same options imported twice say nothing', async () => {
    const logged = warnings();
    @Module({ imports: [PubSubModule.forRoot({ integration: false, nodeName: 'same' })] })
    class FirstFeature {}
    @Module({ imports: [PubSubModule.forRoot({ integration: false, nodeName: 'same' })] })
    class SecondFeature {}
    await boot({ imports: [FirstFeature, SecondFeature], providers: [HealthHandler] });
    expect(logged().filter((text) => text.includes('forRoot') || text.includes('never bound'))).toEqual([]);
  });

  it('a decorated class whose provider supplies another object is named', async () => {
    const logged = warnings();
    await boot({
      imports: [PubSubModule.forRoot({ integration: false })],
      providers: [{ provide: HealthHandler, useValue: { onHealth: () => undefined } }],
    });
    expect(logged()).toContainEqual(
      expect.stringContaining('decorated HealthHandler.onHealth is never bound: the provider of HealthHandler supplies another object'),
    );
  });

  it('an override without the decorator, and a decorated static method, are named', async () => {
    const logged = warnings();
    await boot({ imports: [PubSubModule.forRoot({ integration: false })], providers: [OverridingHandler, StaticHandler] });
    expect(logged()).toContainEqual(
      'decorated BaseHandler.onStore is never bound: OverridingHandler overrides it without the decorator; repeat the decorator on the override',
    );
    expect(logged()).toContainEqual('decorated StaticHandler.onStore is never bound: decorators bind instance methods, not static ones');
  });
});
