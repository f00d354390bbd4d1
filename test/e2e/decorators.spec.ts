import { jest } from '@jest/globals';
import { Controller, Inject, Injectable, Logger, Module, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  CHANNEL_NAMES,
  OnAlerts,
  OnAudit,
  OnChannel,
  OnDiagnostics,
  OnEvents,
  OnHealth,
  OnLifecycle,
  OnLogging,
  OnMetrics,
  OnSecurity,
  OnSystem,
  PubSubManager,
  PubSubModule,
  type ChannelName,
  type PubSubMessage,
} from '@gater/pubsub';
import { startApp } from '../support/pubsub-app.js';

/** Records which method got which message, through `this`. */
abstract class Recorder {
  readonly calls: [string, PubSubMessage][] = [];
  protected record(method: string, message: PubSubMessage): void {
    this.calls.push([method, message]);
  }
  methodsFor(channel: ChannelName): string[] {
    return this.calls.filter(([, m]) => m.channel === channel).map(([method]) => method);
  }
}

// Decorator metadata lives on the methods, so the provider and the controller below inherit the bindings.
class AllDecorated extends Recorder {
  @OnEvents('t:*') onEvents(m: PubSubMessage) {
    this.record('onEvents', m);
  }
  @OnSystem('t:*') onSystem(m: PubSubMessage) {
    this.record('onSystem', m);
  }
  @OnLogging('t:*') onLogging(m: PubSubMessage) {
    this.record('onLogging', m);
  }
  @OnHealth('t:*') onHealth(m: PubSubMessage) {
    this.record('onHealth', m);
  }
  @OnMetrics('t:*') onMetrics(m: PubSubMessage) {
    this.record('onMetrics', m);
  }
  @OnSecurity('t:*') onSecurity(m: PubSubMessage) {
    this.record('onSecurity', m);
  }
  @OnAudit('t:*') onAudit(m: PubSubMessage) {
    this.record('onAudit', m);
  }
  @OnAlerts('t:*') onAlerts(m: PubSubMessage) {
    this.record('onAlerts', m);
  }
  @OnDiagnostics('t:*') onDiagnostics(m: PubSubMessage) {
    this.record('onDiagnostics', m);
  }
  @OnLifecycle('t:*') onLifecycle(m: PubSubMessage) {
    this.record('onLifecycle', m);
  }
  @OnChannel('audit', 'generic:*') onChannelAudit(m: PubSubMessage) {
    this.record('onChannelAudit', m);
  }
}

@Injectable()
class AllDecoratorsProvider extends AllDecorated {}

@Controller()
class AllDecoratorsController extends AllDecorated {}

const DECORATED_METHOD: Record<ChannelName, string> = {
  events: 'onEvents',
  system: 'onSystem',
  logging: 'onLogging',
  health: 'onHealth',
  metrics: 'onMetrics',
  security: 'onSecurity',
  audit: 'onAudit',
  alerts: 'onAlerts',
  diagnostics: 'onDiagnostics',
  lifecycle: 'onLifecycle',
};

describe('channel decorators', () => {
  it('bind all eleven decorators on providers and controllers, with `this` bound to the instance', async () => {
    const app = await startApp({ providers: [AllDecoratorsProvider], controllers: [AllDecoratorsController] });
    try {
      const manager = app.get(PubSubManager);
      const provider = app.get(AllDecoratorsProvider);
      const controller = app.get(AllDecoratorsController);
      for (const name of CHANNEL_NAMES) expect(manager.channel(name).publish(`t:${name}`, 'decorated', name).ok).toBe(true);
      manager.channel('audit').publish('generic:1', 'generic');
      expect(await manager.drain(1_000)).toBe(true);
      for (const recorder of [provider, controller]) {
        for (const name of CHANNEL_NAMES) {
          const expected = name === 'audit' ? ['onAudit', 'onChannelAudit'] : [DECORATED_METHOD[name]];
          expect(recorder.methodsFor(name)).toEqual(expected);
        }
        expect(recorder.calls).toHaveLength(11);
      }
      // 10 channels x 2 instances, plus audit's OnChannel on both.
      expect(manager.stats().reduce((sum, s) => sum + s.subscriptions, 0)).toBe(22);
    } finally {
      await app.close();
    }
  });

  it('binds every stacked decorator of one method, and array patterns', async () => {
    @Injectable()
    class Stacked {
      readonly seen: string[] = [];
      @OnHealth('health_only')
      @OnMetrics(['metrics_a', 'metrics_b:*'])
      @OnMetrics('metrics_c')
      onAny(m: PubSubMessage) {
        this.seen.push(`${m.channel}/${m.topic}`);
      }
    }
    const app = await startApp({ providers: [Stacked] });
    try {
      const manager = app.get(PubSubManager);
      manager.channel('health').publish('health_only', 't');
      manager.channel('health').publish('metrics_a', 't'); // not on health
      manager.channel('metrics').publish('metrics_a', 't');
      manager.channel('metrics').publish('metrics_b:x:y', 't');
      manager.channel('metrics').publish('metrics_c', 't');
      manager.channel('metrics').publish('health_only', 't'); // not on metrics
      expect(await manager.drain(1_000)).toBe(true);
      expect(app.get(Stacked).seen.sort()).toEqual([
        'health/health_only',
        'metrics/metrics_a',
        'metrics/metrics_b:x:y',
        'metrics/metrics_c',
      ]);
      expect(manager.channel('metrics').stats().subscriptions).toBe(2);
      expect(manager.channel('health').stats().subscriptions).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('passes subscribe options through (retries, mailboxSize, overflow)', async () => {
    @Injectable()
    class WithOptions {
      attempts = 0;
      readonly kept: unknown[] = [];
      @OnAudit('flaky', { retries: 2 })
      flaky() {
        this.attempts++;
        throw new Error('always fails');
      }
      @OnMetrics('bounded', { mailboxSize: 2, overflow: 'drop-newest' })
      bounded(m: PubSubMessage) {
        this.kept.push(m.payload);
      }
    }
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const app = await startApp({ providers: [WithOptions] });
    try {
      const manager = app.get(PubSubManager);
      const deadLetters: PubSubMessage[] = [];
      manager.channel('diagnostics').subscribe('dead_letter:audit', (m) => void deadLetters.push(m));
      manager.channel('audit').publish('flaky', 't');
      for (let i = 1; i <= 5; i++) manager.channel('metrics').publish('bounded', 't', i);
      expect(await manager.drain(1_000)).toBe(true);
      const instance = app.get(WithOptions);
      expect(instance.attempts).toBe(3);
      expect(manager.channel('audit').stats().handlerErrors).toBe(3);
      expect(deadLetters).toHaveLength(1);
      expect(deadLetters[0].payload).toMatchObject({ attempts: 3, error: 'always fails' });
      expect(instance.kept).toEqual([1, 2]);
      expect(manager.channel('metrics').stats().dropped).toBe(3);
    } finally {
      await app.close();
      errors.mockRestore();
    }
  });

  it('binds inherited decorated methods, once per instance', async () => {
    @Injectable()
    class Base {
      readonly seen: string[] = [];
      @OnEvents('inherited')
      onInherited(m: PubSubMessage) {
        this.seen.push(`${this.constructor.name}:${m.topic}`);
      }
    }
    @Injectable()
    class Derived extends Base {}
    const app = await startApp({ providers: [Base, Derived] });
    try {
      const manager = app.get(PubSubManager);
      manager.channel('events').publish('inherited', 't');
      expect(await manager.drain(1_000)).toBe(true);
      expect(app.get(Base).seen).toEqual(['Base:inherited']);
      expect(app.get(Derived).seen).toEqual(['Derived:inherited']);
      expect(manager.channel('events').stats().subscriptions).toBe(2);
    } finally {
      await app.close();
    }
  });

  it('binds providers built by useFactory, useValue and useClass under another token', async () => {
    class Listener {
      readonly seen: string[] = [];
      constructor(readonly label: string) {}
      @OnSystem('built')
      onBuilt() {
        this.seen.push(this.label);
      }
    }
    const byValue = new Listener('value');
    const app = await startApp({
      providers: [
        { provide: 'BY_FACTORY', useFactory: () => new Listener('factory') },
        { provide: 'BY_VALUE', useValue: byValue },
        { provide: 'ALIAS', useExisting: 'BY_VALUE' },
      ],
    });
    try {
      const manager = app.get(PubSubManager);
      manager.channel('system').publish('built', 't');
      expect(await manager.drain(1_000)).toBe(true);
      expect(app.get<Listener>('BY_FACTORY').seen).toEqual(['factory']);
      expect(byValue.seen).toEqual(['value']);
      expect(manager.channel('system').stats().subscriptions).toBe(2);
    } finally {
      await app.close();
    }
  });
});

describe('channel decorators: start-up failures name the class and method', () => {
  const expectStartupFailure = async (providers: unknown[], ...fragments: (string | RegExp)[]) => {
    let failure: unknown;
    try {
      const app = await startApp({ providers: providers as never });
      await app.close();
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    for (const fragment of fragments) expect((failure as Error).message).toMatch(fragment);
  };

  it('an invalid pattern', async () => {
    @Injectable()
    class BadPattern {
      @OnHealth('subscription_health:bad*')
      onHealth() {}
    }
    await expectStartupFailure([BadPattern], 'BadPattern.onHealth', 'subscription_health:bad*');
  });

  it('an invalid pattern in an array', async () => {
    @Injectable()
    class BadArray {
      @OnMetrics(['fine', 'not fine'])
      onMetrics() {}
    }
    await expectStartupFailure([BadArray], 'BadArray.onMetrics', 'not fine');
  });

  it('an unknown channel through OnChannel', async () => {
    @Injectable()
    class UnknownChannel {
      @OnChannel('ex_esdb_health' as ChannelName, 'x')
      onSomething() {}
    }
    await expectStartupFailure([UnknownChannel], 'UnknownChannel.onSomething', 'ex_esdb_health');
  });

  it('a request-scoped provider', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @OnEvents('x')
      onEvent() {}
    }
    await expectStartupFailure([PerRequest], 'PerRequest.onEvent', /request-scoped/);
  });

  it('a provider that is request-scoped through its dependencies', async () => {
    @Injectable()
    class NeedsRequest {
      constructor(@Inject(REQUEST) readonly request: unknown) {}
      @OnEvents('x')
      onEvent() {}
    }
    await expectStartupFailure([NeedsRequest], 'NeedsRequest.onEvent', /request-scoped/);
  });

  it('a transient provider', async () => {
    @Injectable({ scope: Scope.TRANSIENT })
    class Transient {
      @OnAlerts('x')
      onAlert() {}
    }
    await expectStartupFailure([Transient], 'Transient.onAlert', /transient/);
  });

  it('invalid subscribe options', async () => {
    @Injectable()
    class BadOptions {
      @OnMetrics('x', { mailboxSize: 0 })
      onMetric() {}
    }
    await expectStartupFailure([BadOptions], 'BadOptions.onMetric', 'mailboxSize');
  });

  it('binds nothing when start-up fails', async () => {
    @Injectable()
    class Good {
      @OnEvents('x')
      onEvent() {}
    }
    @Injectable()
    class Bad {
      @OnEvents('x', { retries: -1 }) // refused while binding, after Good was bound
      onEvent() {}
    }
    @Module({ imports: [PubSubModule.forRoot({ integration: false })], providers: [Good, Bad] })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await expect(app.init()).rejects.toThrow('Bad.onEvent');
    expect(app.get(PubSubManager).channel('events').stats().subscriptions).toBe(0);
    await app.close();
  });
});
