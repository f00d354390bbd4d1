import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import type { Bus, BusHandlers } from '../../../libs/pubsub/src/transport/bus.js';
import { ClusterTransport } from '../../../libs/pubsub/src/transport/cluster-transport.js';
import { FrameCodec, newEpoch } from '../../../libs/pubsub/src/transport/wire-frame.js';

const SECRET = 'own-echo-secret';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A bus that hands every published frame back to its node, as Redis does to a subscriber that also publishes. */
class EchoingBus implements Bus {
  readonly kind = 'memory' as const;
  readonly description = 'echoing bus';
  readonly up = true;
  handlers: BusHandlers | undefined;
  echoed = 0;

  async open(handlers: BusHandlers): Promise<void> {
    this.handlers = handlers;
    handlers.state(true, 'echoing');
  }
  async publish(frame: string | Buffer): Promise<number> {
    setImmediate(() => {
      this.echoed++;
      this.handlers?.frame(frame);
    });
    return 2;
  }
  async close(): Promise<void> {}
  abort(): void {}
}

describe('ClusterTransport: its own frames, echoed by the bus', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('are dropped from their first bytes: no signature check, no parsing, not counted as received', async () => {
    const bus = new EchoingBus();
    const security = new PubSubSecurity({ secretKeyBase: SECRET });
    const verify = jest.spyOn(security, 'verifyText');
    const settings = resolvePubSubSettings({ nodeName: 'self', secretKeyBase: SECRET }, {});
    const transport = new ClusterTransport({ settings, logger: silentLogger, security }, bus, { resumeGraceMs: 0 });
    const channels = new ChannelSet({ nodeName: 'self', logger: silentLogger, wiring: { transmit: transport.transmit } });
    transport.bind(channels, () => undefined);
    const delivered: PubSubMessage[] = [];
    channels.channel('events').subscribe('orders:*', (message) => void delivered.push(message));
    await transport.start();
    const parse = jest.spyOn(JSON, 'parse');
    for (let i = 0; i < 5; i++) channels.channel('events').publish('orders:created', 'order_created', { i });
    for (let i = 0; i < 100 && bus.echoed < 2; i++) await sleep(5);
    await sleep(20);

    expect(bus.echoed).toBeGreaterThanOrEqual(2); // the join announcement and the data frame came back
    expect(verify).not.toHaveBeenCalled();
    expect(parse).not.toHaveBeenCalled();
    expect(transport.stats()).toMatchObject({ framesReceived: 0, messagesReceived: 0, duplicates: 0 });
    expect(delivered.map((message) => message.payload)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));

    // Another node's frame on the same bus is checked and counted.
    const peer = new FrameCodec('peer', newEpoch(), new PubSubSecurity({ secretKeyBase: SECRET }));
    bus.handlers!.frame(peer.encodeBytes('h', [], new Map()));
    expect(verify).toHaveBeenCalledTimes(1);
    expect(transport.stats().framesReceived).toBe(1);
    await transport.close();
  });
});
