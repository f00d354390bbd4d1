import { RedisServer } from '../support/redis-server.js';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';
import { tick } from '../support/pubsub-app.js';
import { describeWithRedis } from './support/describe-with-redis.js';

interface Status {
  node: string;
  nodes: string[];
}

describeWithRedis('demo application over Redis', () => {
  let redis: RedisServer;
  const servers: DemoServer[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    for (const name of ['demo-a', 'demo-b']) {
      servers.push(
        await startDemoServer({ PUBSUB_REDIS_URL: redis.url, SECRET_KEY_BASE: 'demo-cluster-test-secret', DEMO_NODE_NAME: name }),
      );
    }
  }, 30_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await redis?.stop();
  });

  it('two instances share their channels and each dashboard lists both nodes', async () => {
    const status = async (server: DemoServer) => (await (await fetch(`${server.url}/pubsub/status`)).json()) as Status;
    const deadline = Date.now() + 10_000;
    let seen = await Promise.all(servers.map(status));
    while (!seen.every((s) => s.nodes.length === 2) && Date.now() < deadline) {
      await tick(100);
      seen = await Promise.all(servers.map(status));
    }
    expect(seen.map((s) => [s.node, s.nodes])).toEqual([
      ['demo-a', ['demo-a', 'demo-b']],
      ['demo-b', ['demo-a', 'demo-b']],
    ]);
  }, 20_000);
});
