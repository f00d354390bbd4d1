import { describe, expect, it } from '@jest/globals';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubCore } from '../../../libs/pubsub/src/core/pubsub-core.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import { PubSubError } from '../../../libs/pubsub/src/pubsub-error.js';
import { ClusterTransport } from '../../../libs/pubsub/src/transport/cluster-transport.js';
import { MemoryHub } from '../../../libs/pubsub/src/transport/memory-hub.js';

const HOOK_FIELDS = ['checkedTypes', 'complete', 'deadLetter', 'durable', 'outbound', 'propagate', 'transmit', 'validate', 'wrapHandler'];

describe('PubSubCore: the library wired without Nest', () => {
  it('delivers, validates catalogue payloads and dead-letters failed handlers, with nothing from Nest', async () => {
    const core = new PubSubCore(resolvePubSubSettings({ nodeName: 'core-node', integration: false }, {}), silentLogger);
    const events: PubSubMessage[] = [];
    core.channels.channel('events').subscribe('order:*', (message) => void events.push(message));
    core.channels.channel('events').subscribe('fails', () => {
      throw new Error('handler failed');
    });
    const deadLetters: PubSubMessage[] = [];
    core.channels.channel('diagnostics').subscribe('dead_letter:*', (message) => void deadLetters.push(message));

    expect(core.channels.channel('events').publish('order:1', 'created', { id: 1 }).ok).toBe(true);
    expect(core.channels.channel('events').publish('fails', 'x', 1).ok).toBe(true);
    // The catalogue's checks are wired: a node_health_updated without a valid status is refused.
    expect(core.channels.channel('health').publish('node:x', 'node_health_updated', { status: 'fine' })).toMatchObject({
      ok: false,
      reason: 'invalid_message',
    });
    expect(await core.channels.drain(2_000)).toBe(true);
    expect(events.map((message) => message.payload)).toEqual([{ id: 1 }]);
    expect(deadLetters).toHaveLength(1);
    expect(core.transport.nodes()).toEqual(['core-node']);
    expect(core.channels.hooks.durable.kind).toBe('memory');
    core.monitor.stop();
    core.channels.close();
    await core.transport.close();
  });

  it('gives the channels one hooks object whose fields are all present from construction; instrument() changes only its two', async () => {
    const core = new PubSubCore(resolvePubSubSettings({ nodeName: 'n', integration: false }, {}), silentLogger);
    const hooks = core.channels.hooks;
    expect(Object.keys(hooks).sort()).toEqual(HOOK_FIELDS);
    expect([hooks.propagate, hooks.wrapHandler, hooks.transmit]).toEqual([undefined, undefined, undefined]);
    const before = { ...hooks };
    const propagate = (headers: Record<string, string> | undefined) => headers;
    core.channels.instrument({ propagate, wrapHandler: (handler) => handler });
    expect(core.channels.hooks).toBe(hooks);
    expect(Object.keys(hooks).sort()).toEqual(HOOK_FIELDS);
    expect(hooks.propagate).toBe(propagate);
    core.channels.uninstrument();
    expect({ ...hooks }).toEqual(before);
    core.monitor.stop();
    core.channels.close();
    await core.transport.close();
  });
});

describe('the transport is built before the channels and bound to them once', () => {
  const settings = resolvePubSubSettings({ nodeName: 'node-a', heartbeatIntervalMs: 50, nodeTimeoutMs: 200 }, {});

  it('refuses to start before its bind step, and a second bind', async () => {
    const transport = new ClusterTransport({ settings, logger: silentLogger }, new MemoryHub().connect('node-a'));
    const error = await transport.start().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PubSubError);
    expect((error as PubSubError).code).toBe('transport');
    expect((error as PubSubError).message).toContain('bind(channels, alert)');
    const channels = new ChannelSet({ nodeName: 'node-a', logger: silentLogger, wiring: { transmit: transport.transmit } });
    transport.bind(channels, () => undefined);
    expect(() => transport.bind(channels, () => undefined)).toThrow(PubSubError);
    await transport.close();
  });

  it('carries a publication between two nodes built in that order', async () => {
    const hub = new MemoryHub();
    const node = (name: string) => {
      const transport = new ClusterTransport(
        { settings: resolvePubSubSettings({ nodeName: name }, {}), logger: silentLogger },
        hub.connect(name),
        { resumeGraceMs: 0 },
      );
      const channels = new ChannelSet({ nodeName: name, logger: silentLogger, wiring: { transmit: transport.transmit } });
      transport.bind(channels, () => undefined);
      return { transport, channels };
    };
    const a = node('node-a');
    const b = node('node-b');
    await Promise.all([a.transport.start(), b.transport.start()]);
    const received = new Promise<PubSubMessage>((resolve) => b.channels.channel('events').subscribe('hello', resolve));
    expect(a.channels.channel('events').publish('hello', 'greeting', 'from a').ok).toBe(true);
    await expect(received).resolves.toMatchObject({ node: 'node-a', payload: 'from a' });
    for (const { transport, channels } of [a, b]) {
      channels.close();
      await transport.close();
    }
  });
});
