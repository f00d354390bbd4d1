import { randomBytes } from 'node:crypto';
import type { ChannelStats } from '../../../libs/pubsub/src/channels/channel.types.js';
import { RedisServer } from '../../support/redis-server.js';
import { compileLibrary, type CompiledLibrary } from './compile-library.js';
import { NodeProcess, type NodeConfig } from './node-process.js';

export interface SubscriptionState {
  count: number;
  outOfOrder: number;
  last: Record<string, number>;
  samples: { node: string; type: string; topic: string; payload: any }[];
}

export interface NodeStats {
  channels: ChannelStats[];
  nodes: string[];
}

export const channelStats = (stats: NodeStats, channel: string): ChannelStats => stats.channels.find((s) => s.channel === channel)!;

/**
 * For a cross-process spec file: one private redis-server and one compiled copy of the library for the
 * file; node processes are closed after each test.
 */
export function crossProcessEnvironment() {
  let server: RedisServer | undefined;
  let library: CompiledLibrary | undefined;
  const nodes: NodeProcess[] = [];
  let prefix = '';

  beforeAll(async () => {
    [server, library] = await Promise.all([RedisServer.start(), compileLibrary()]);
  }, 60_000);
  beforeEach(() => {
    prefix = `xproc-${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.kill()));
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    library?.remove();
  }, 30_000);

  return {
    get server(): RedisServer {
      return server!;
    },
    get prefix(): string {
      return prefix;
    },
    async spawn(nodeName: string, config: Partial<NodeConfig> = {}): Promise<NodeProcess> {
      const node = await NodeProcess.spawn(library!, { nodeName, url: server!.url, prefix, ...config });
      nodes.push(node);
      return node;
    },
  };
}

export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value).slice(0, 2_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
