import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private redis-server for tests: a free loopback port, a temporary folder, no persistence; stopped and
 * removed afterwards. Never touches a system Redis.
 */
export function redisServerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

export function redisCliBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

// A test process that dies early must not leave servers behind.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type ServerProtocols = 'resp2-and-resp3' | 'resp2-only';

export class RedisServer {
  private process: ChildProcess | undefined;
  private readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly speaks: ServerProtocols,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'gater-redis-'));
  }

  /**
   * `speaks: 'resp2-only'` disables HELLO, so a client is answered as by Redis 5 and earlier: ioredis falls back
   * to RESP2, where a subscribed connection can run nothing but subscription commands.
   */
  static async start(port?: number, { speaks = 'resp2-and-resp3' }: { speaks?: ServerProtocols } = {}): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), speaks);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Stops the server (SIGKILL: like a crash) and starts it again on the same port, empty. */
  async restart(downForMs = 0): Promise<void> {
    await this.kill();
    if (downForMs > 0) await new Promise((resolve) => setTimeout(resolve, downForMs));
    await this.launch();
  }

  async launch(): Promise<void> {
    if (this.running) return;
    const binary = redisServerBinary();
    if (binary === undefined) throw new Error('redis-server is not installed');
    // prettier-ignore
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--protected-mode', 'yes', '--loglevel', 'warning'];
    if (this.speaks === 'resp2-only') args.push('--rename-command', 'HELLO', '');
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.process = child;
    live.add(child);
    child.once('exit', () => live.delete(child));
    const deadline = Date.now() + 5_000;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (!this.running) throw new Error(`redis-server exited at start-up: ${stderr}`);
      if (await canConnect(this.port)) return;
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await this.kill();
    throw new Error(`redis-server did not accept connections on port ${this.port} within 5 s: ${stderr}`);
  }

  /** SIGKILL, no shutdown: clients see the connection drop. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGSTOP: connections stay open, nothing is answered, as with a hung server or a stalled host. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  /** SIGCONT: the frozen server carries on where it stopped. */
  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT'); // a frozen server would not act on the signal until thawed
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
