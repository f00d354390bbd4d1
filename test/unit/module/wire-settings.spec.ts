import { describe, expect, it } from '@jest/globals';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import { PubSubError } from '../../../libs/pubsub/src/pubsub-error.js';
import { createTransportLayer } from '../../../libs/pubsub/src/transport/transport-layer.js';

const NO_ENV = {};

function startupError(run: () => unknown): PubSubError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PubSubError);
    return error as PubSubError;
  }
  throw new Error('expected a start-up error');
}

describe('wire security settings', () => {
  it('maxMessageBytes defaults to 1 MiB; an option sets it; nonsense fails start-up naming it', () => {
    expect(resolvePubSubSettings({}, NO_ENV).maxMessageBytes).toBe(1_048_576);
    expect(resolvePubSubSettings({ maxMessageBytes: 4_096 }, NO_ENV).maxMessageBytes).toBe(4_096);
    for (const bad of [0, -1, 1.5, 64 * 1024 * 1024, '1' as unknown as number]) {
      expect(() => resolvePubSubSettings({ maxMessageBytes: bad }, NO_ENV)).toThrow(/maxMessageBytes/);
    }
  });

  it.each([
    ['notaurl', 'PUBSUB_REDIS_URL'],
    ['http://127.0.0.1:1', 'PUBSUB_REDIS_URL'],
    ['127.0.0.1:6379', 'PUBSUB_REDIS_URL'],
  ])('PUBSUB_REDIS_URL=%s fails start-up naming the variable', (url, name) => {
    const error = startupError(() => resolvePubSubSettings({}, { PUBSUB_REDIS_URL: url }));
    expect(error.code).toBe('invalid_option');
    expect(error.message).toContain(name);
    expect(error.message).toMatch(/redis:\/\/ or rediss:\/\//);
  });

  it('transport.url must be redis:// or rediss:// too, and the error names the option', () => {
    const error = startupError(() => resolvePubSubSettings({ transport: { type: 'redis', url: 'http://127.0.0.1:1' } }, NO_ENV));
    expect(error.message).toContain('transport.url');
    expect(error.message).not.toContain('PUBSUB_REDIS_URL');
    expect(resolvePubSubSettings({ transport: { type: 'redis', url: 'rediss://user:pw@cache:6380/1' } }, NO_ENV).transport.url).toBe(
      'rediss://user:pw@cache:6380/1',
    );
    expect(resolvePubSubSettings({ transport: { type: 'redis' } }, { PUBSUB_REDIS_URL: 'redis://h:1' }).transport.url).toBe('redis://h:1');
    expect(startupError(() => resolvePubSubSettings({ transport: { type: 'redis' } }, { PUBSUB_REDIS_URL: 'notaurl' })).message).toContain(
      'PUBSUB_REDIS_URL',
    );
  });

  it('allowUnsigned defaults to false and must be a boolean', () => {
    expect(resolvePubSubSettings({ transport: { type: 'redis' } }, NO_ENV).transport.allowUnsigned).toBe(false);
    expect(resolvePubSubSettings({ transport: { type: 'redis', allowUnsigned: true } }, NO_ENV).transport.allowUnsigned).toBe(true);
    expect(() => resolvePubSubSettings({ transport: { type: 'redis', allowUnsigned: 'yes' as unknown as boolean } }, NO_ENV)).toThrow(
      /allowUnsigned/,
    );
  });

  it('the Redis transport refuses to start without a secret, naming SECRET_KEY_BASE and allowUnsigned', () => {
    const deps = (options: Parameters<typeof resolvePubSubSettings>[0]) => ({
      settings: resolvePubSubSettings({ nodeName: 'n', ...options }, NO_ENV),
      channels: new ChannelSet({ nodeName: 'n', logger: silentLogger }),
      logger: silentLogger,
      alert: () => undefined,
    });
    const error = startupError(() => createTransportLayer(deps({ transport: { type: 'redis', url: 'redis://127.0.0.1:1' } })));
    expect(error.code).toBe('invalid_option');
    expect(error.message).toContain('SECRET_KEY_BASE');
    expect(error.message).toContain('allowUnsigned: true');
    expect(() =>
      createTransportLayer(deps({ transport: { type: 'redis', url: 'redis://127.0.0.1:1', allowUnsigned: true } })),
    ).not.toThrow();
    expect(() =>
      createTransportLayer(deps({ transport: { type: 'redis', url: 'redis://127.0.0.1:1' }, secretKeyBase: 'k' })),
    ).not.toThrow();
    expect(() => createTransportLayer(deps({}))).not.toThrow(); // memory needs no secret
  });
});
