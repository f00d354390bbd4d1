import { EventEmitter } from 'node:events';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import type { RedisClient, RedisClientConstructor } from '../../../libs/pubsub/src/transport/load-ioredis.js';
import { RedisBus } from '../../../libs/pubsub/src/transport/redis-bus.js';

interface Server {
  protocol: 2 | 3;
  /** INFO server's reply, or an error (an ACL without INFO). */
  info: string | Error;
}

/** A stand-in for ioredis: ready at once, speaking what `server` says; records each connection and its commands. */
function fakeClients(server: Server): { Client: RedisClientConstructor; made: FakeClient[] } {
  const made: FakeClient[] = [];
  class FakeClient extends EventEmitter {
    status = 'connecting';
    readonly condition = { protocol: server.protocol };
    readonly commands: string[] = [];
    constructor(
      readonly url: string,
      readonly options: Record<string, unknown>,
    ) {
      super();
      made.push(this);
      setImmediate(() => {
        this.status = 'ready';
        this.emit('ready');
      });
    }
    subscribe = async (channel: string) => void this.commands.push(`SUBSCRIBE ${channel}`);
    publish = async (channel: string) => (this.commands.push(`PUBLISH ${channel}`), 1);
    ping = async () => 'PONG';
    call = async (command: string, ...args: unknown[]) => {
      this.commands.push([command, ...args.map(String)].join(' '));
      if (command === 'INFO') {
        if (server.info instanceof Error) throw server.info;
        return server.info;
      }
      if (command === 'SCRIPT') return 'sha';
      return 'OK';
    };
    quit = async () => 'OK';
    disconnect = () => undefined;
  }
  return { Client: FakeClient as unknown as RedisClientConstructor, made: made as unknown as FakeClient[] };
}
type FakeClient = RedisClient & EventEmitter & { options: Record<string, unknown>; commands: string[] };

async function openBus(server: Server) {
  const { Client, made } = fakeClients(server);
  const bus = new RedisBus({ prefix: 'p', logger: silentLogger, loadClient: async () => Client, scripts: ['return 1'] });
  await bus.open({ frame: () => undefined, state: () => undefined }, 1_000);
  return { bus, made };
}

const info = (version: string) => `# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n`;

describe('RedisBus: one connection or two', () => {
  it.each([
    ['6.2.14', false],
    ['7.0.15', false],
    ['7.1.0', false],
    ['7.2.0', true],
    ['7.4.2', true],
    ['8.0.1', true],
    ['10.0.0', true],
  ])('on RESP3, publishes on its subscriber connection; Redis %s: transactions %s', async (version, checked) => {
    const { bus, made } = await openBus({ protocol: 3, info: info(version) });
    expect(bus.up).toBe(true);
    expect(made).toHaveLength(1);
    expect(bus.checkedPublishes).toBe(checked);
    await bus.publish('frame');
    expect(made[0].commands).toEqual(['SUBSCRIBE p:bus', 'SCRIPT LOAD return 1', 'INFO server', 'PUBLISH p:bus']);
    await bus.close();
  });

  it('takes a server whose version it cannot read (INFO refused) for one before 7.2', async () => {
    const { bus } = await openBus({ protocol: 3, info: new Error('NOPERM this user has no permissions to run the info command') });
    expect(bus.up).toBe(true);
    expect(bus.checkedPublishes).toBe(false);
    await expect(bus.publishChecked(['w'], 'return 1', [], [], Buffer.from('f'), 'c')).rejects.toThrow(/before 7\.2/);
    await bus.close();
  });

  it('on a server that refused RESP3, opens a second connection that publishes and runs transactions', async () => {
    const { bus, made } = await openBus({ protocol: 2, info: info('5.0.14') });
    expect(bus.up).toBe(true);
    expect(made.map((client) => client.options.connectionName)).toEqual(['p:sub', 'p:pub']);
    expect(bus.checkedPublishes).toBe(true);
    await bus.publish('frame');
    expect(made[0].commands).toEqual(['SUBSCRIBE p:bus']);
    expect(made[1].commands).toEqual(['SCRIPT LOAD return 1', 'PUBLISH p:bus']);
    await bus.close();
  });
});
