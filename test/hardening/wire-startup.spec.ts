import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { PubSubModule, type PubSubModuleOptions } from '@gater/pubsub';
import { PubSubError } from '../../libs/pubsub/src/pubsub-error.js';
import { recordFigure } from './support/figures.js';

/** Start-up of an application, as `NestFactory.create` would do it; resolves to the error it failed with. */
async function startupError(options: PubSubModuleOptions, env: Record<string, string | undefined> = {}): Promise<unknown> {
  const saved = Object.fromEntries(['PUBSUB_REDIS_URL', 'SECRET_KEY_BASE'].map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries({ PUBSUB_REDIS_URL: undefined, SECRET_KEY_BASE: undefined, ...env })) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    const app = await Test.createTestingModule({ imports: [PubSubModule.forRoot({ integration: false, ...options })] }).compile();
    await app.init();
    await app.close();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('wire security at start-up', () => {
  it('the Redis transport refuses to start without a secret; the error names SECRET_KEY_BASE and allowUnsigned', async () => {
    for (const [options, env] of [
      [{ transport: { type: 'redis', url: 'redis://127.0.0.1:1' } }, {}],
      [{}, { PUBSUB_REDIS_URL: 'redis://127.0.0.1:1' }],
    ] as [PubSubModuleOptions, Record<string, string>][]) {
      const error = await startupError(options, env);
      expect(error).toBeInstanceOf(PubSubError);
      expect(error).toMatchObject({ code: 'invalid_option' });
      expect((error as Error).message).toContain('SECRET_KEY_BASE');
      expect((error as Error).message).toContain('allowUnsigned: true');
    }
  });

  it.each(['notaurl', 'http://127.0.0.1:1', 'redis//127.0.0.1:6379'])(
    'PUBSUB_REDIS_URL=%s fails start-up naming the variable',
    async (url) => {
      const error = await startupError({ secretKeyBase: 'k' }, { PUBSUB_REDIS_URL: url });
      expect(error).toBeInstanceOf(PubSubError);
      expect((error as Error).message).toContain('PUBSUB_REDIS_URL');
      expect((error as Error).message).toContain('redis:// or rediss://');
      recordFigure('hostile inputs tried');
    },
  );

  it('transport.url gets the same check, naming the option', async () => {
    const error = await startupError({ secretKeyBase: 'k', transport: { type: 'redis', url: 'http://127.0.0.1:1' } });
    expect((error as Error).message).toContain('transport.url');
    recordFigure('hostile inputs tried');
  });
});
