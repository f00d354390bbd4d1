import { describe, expect, it } from '@jest/globals';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import type { Bus, BusHandlers } from '../../../libs/pubsub/src/transport/bus.js';
import { ClusterTransport } from '../../../libs/pubsub/src/transport/cluster-transport.js';
import type { TransportAlert } from '../../../libs/pubsub/src/transport/transport-layer.js';
import { FrameCodec, newEpoch } from '../../../libs/pubsub/src/transport/wire-frame.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A bus that says it is up; whether it echoes this node's own frames is up to the test. */
class ScriptedBus implements Bus {
  readonly kind = 'memory' as const;
  readonly description = 'scripted bus';
  readonly up = true;
  echo = true;
  handlers: BusHandlers | undefined;

  async open(handlers: BusHandlers): Promise<void> {
    this.handlers = handlers;
    handlers.state(true, 'scripted');
  }
  async publish(text: string): Promise<number> {
    if (this.echo) setImmediate(() => this.handlers?.frame(text));
    return 2;
  }
  async close(): Promise<void> {}
  abort(): void {}
}

async function node(bus: ScriptedBus) {
  const settings = resolvePubSubSettings({ nodeName: 'self', heartbeatIntervalMs: 50, nodeTimeoutMs: 200 }, {});
  const alerts: TransportAlert[] = [];
  const transport = new ClusterTransport({ settings, logger: silentLogger }, bus, { resumeGraceMs: 0 });
  const channels = new ChannelSet({ nodeName: 'self', logger: silentLogger, wiring: { transmit: transport.transmit } });
  transport.bind(channels, (a) => void alerts.push(a));
  await transport.start();
  const peer = new FrameCodec('peer', newEpoch(), new PubSubSecurity({}));
  bus.handlers!.frame(peer.encode('h', [], new Map()));
  expect(transport.nodes()).toEqual(['peer', 'self']);
  return { transport, alerts };
}

describe('ClusterTransport: a node that hears nothing, not even itself, blames nobody', () => {
  it('keeps a silent peer while its own frames do not come back (its own link is what failed)', async () => {
    const bus = new ScriptedBus();
    bus.echo = false;
    const { transport, alerts } = await node(bus);
    await sleep(600);
    expect(transport.nodes()).toEqual(['peer', 'self']);
    expect(alerts.filter((a) => a.rule === 'node_failure')).toEqual([]);
    await transport.close();
  });

  it('removes a silent peer with a node_failure alert while its own heartbeats come back', async () => {
    const { transport, alerts } = await node(new ScriptedBus());
    await sleep(600);
    expect(transport.nodes()).toEqual(['self']);
    expect(alerts).toContainEqual(
      expect.objectContaining({ rule: 'node_failure', details: expect.objectContaining({ node: 'peer', liveNodes: 1 }) }),
    );
    await transport.close();
  });
});
