import { randomBytes } from 'node:crypto';
import type { ChannelName } from '../../libs/pubsub/src/channels/channel-names.js';
import { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import type { PubSubMessage, SubscribeOptions } from '../../libs/pubsub/src/channels/channel.types.js';
import type { PubSubLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import { CATALOGUE_HOOKS } from '../../libs/pubsub/src/messages/catalogue.js';
import type { TransportOptions } from '../../libs/pubsub/src/module/pubsub-options.interface.js';
import { resolvePubSubSettings } from '../../libs/pubsub/src/module/pubsub-settings.js';
import type { ClusterTransport, ClusterTuning } from '../../libs/pubsub/src/transport/cluster-transport.js';
import type { MemoryHub } from '../../libs/pubsub/src/transport/memory-hub.js';
import { createTransportLayer, type TransportAlert } from '../../libs/pubsub/src/transport/transport-layer.js';

/** A raw view of the bus: every frame published on it, for tampering and replaying. */
export interface Tap {
  readonly frames: string[];
  stop(): Promise<void>;
}

/** What differs between transports; the conformance suite only talks to this. */
export interface Backend {
  readonly name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Module options (and hub) that make a node join the cluster named `prefix`. */
  join(prefix: string): { transport: TransportOptions; memoryHub?: MemoryHub };
  /** Publishes a raw frame on the cluster's bus, as an attacker with access to the backend would. */
  inject(prefix: string, text: string): Promise<void>;
  tap(prefix: string): Promise<Tap>;
  /** Takes the backend away (connections drop) and brings it back. */
  interrupt(prefix: string): Promise<void>;
  restore(prefix: string): Promise<void>;
}

export interface ClusterOptions {
  secret?: string | string[];
  heartbeatIntervalMs?: number;
  nodeTimeoutMs?: number;
  messageMaxAgeMs?: number;
  tuning?: Partial<ClusterTuning>;
}

export class Inbox {
  readonly messages: PubSubMessage[] = [];
  readonly handler = (message: PubSubMessage): void => {
    this.messages.push(message);
  };

  async until(count: number, timeoutMs = 5_000): Promise<PubSubMessage[]> {
    await eventually(
      () => this.messages.length >= count,
      timeoutMs,
      () => `expected ${count} messages, got ${this.messages.length}`,
    );
    return this.messages;
  }
}

export class TestNode {
  readonly alerts: TransportAlert[] = [];
  readonly logs: string[] = [];
  readonly channels: ChannelSet;
  readonly transport: ClusterTransport;

  constructor(
    readonly name: string,
    options: ClusterOptions,
    joined: { transport: TransportOptions; memoryHub?: MemoryHub },
  ) {
    const logger: PubSubLogger = {
      log: (text) => this.logs.push(`log: ${text}`),
      warn: (text) => this.logs.push(`warn: ${text}`),
      error: (text) => this.logs.push(`error: ${text}`),
    };
    const settings = resolvePubSubSettings(
      {
        nodeName: name,
        transport: joined.transport,
        secretKeyBase: options.secret,
        heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100,
        nodeTimeoutMs: options.nodeTimeoutMs ?? 600,
        messageMaxAgeMs: options.messageMaxAgeMs,
      },
      {},
    );
    this.transport = createTransportLayer({ settings, logger, memoryHub: joined.memoryHub, tuning: options.tuning }) as ClusterTransport;
    this.channels = new ChannelSet({
      nodeName: name,
      logger,
      // As the runtime does: catalogue messages (access_violation, cluster_membership_changed) are validated.
      wiring: { ...CATALOGUE_HOOKS, transmit: this.transport.transmit, durable: this.transport.durable },
    });
    this.transport.bind(this.channels, (alert) => this.alerts.push(alert));
  }

  inbox(channel: ChannelName, pattern: string | string[], options: SubscribeOptions = {}): Inbox {
    const inbox = new Inbox();
    this.channels.channel(channel).subscribe(pattern, inbox.handler, options);
    return inbox;
  }

  async close(): Promise<void> {
    this.channels.close();
    await this.transport.close();
  }
}

/** Nodes on one bus (its own Redis channel prefix / memory hub), closed together. */
export class TestCluster {
  readonly prefix = `conformance-${randomBytes(4).toString('hex')}`;
  private readonly nodes: TestNode[] = [];

  constructor(
    readonly backend: Backend,
    readonly options: ClusterOptions = {},
  ) {}

  async node(name: string, options: ClusterOptions = {}): Promise<TestNode> {
    const node = new TestNode(name, { ...this.options, ...options }, this.backend.join(this.prefix));
    this.nodes.push(node);
    await node.transport.start();
    return node;
  }

  /** Starts nodes and waits until every one sees all of them. */
  async nodesThatKnowEachOther(...names: string[]): Promise<TestNode[]> {
    const nodes: TestNode[] = [];
    for (const name of names) nodes.push(await this.node(name));
    const all = [...names].sort().join(',');
    await eventually(
      () => nodes.every((node) => node.transport.nodes().join(',') === all),
      5_000,
      () => 'nodes did not discover each other',
    );
    return nodes;
  }

  inject(text: string): Promise<void> {
    return this.backend.inject(this.prefix, text);
  }

  tap(): Promise<Tap> {
    return this.backend.tap(this.prefix);
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((node) => node.close().catch(() => undefined)));
  }
}

export async function eventually(condition: () => boolean, timeoutMs = 5_000, describe: () => string = () => 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(5);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
