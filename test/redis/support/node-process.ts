import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, type CompiledLibrary } from './compile-library.js';

const FIXTURE = join(REPO_ROOT, 'test/redis/fixtures/pubsub-node.mjs');

export interface NodeConfig {
  nodeName: string;
  url: string;
  prefix: string;
  secret?: string;
  heartbeatIntervalMs?: number;
  nodeTimeoutMs?: number;
}

interface Reply {
  id?: number;
  ok?: boolean;
  result?: unknown;
  error?: string;
  ready?: boolean;
}

/** A PubSub node in a separate Node process (test/redis/fixtures/pubsub-node.mjs), driven over IPC. */
export class NodeProcess {
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private output = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.on('message', (reply: Reply) => {
      if (reply.id === undefined) return;
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(new Error(`${name}: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.waiting.values())
        waiter.reject(new Error(`${name} exited (${code ?? signal}) with requests pending:\n${this.output}`));
      this.waiting.clear();
    });
  }

  static async spawn(library: CompiledLibrary, config: NodeConfig, timeoutMs = 20_000): Promise<NodeProcess> {
    const env: NodeJS.ProcessEnv = { ...process.env, GATER_PUBSUB_LIB: library.entry, GATER_NODE_CONFIG: JSON.stringify(config) };
    delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the child
    const child = fork(FIXTURE, [], { env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const node = new NodeProcess(config.nodeName, child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${config.nodeName} not ready after ${timeoutMs} ms:\n${node.output}`)), timeoutMs);
      child.on('message', (reply: Reply) => {
        if (!reply.ready) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${config.nodeName} exited (${code}) before it was ready:\n${node.output}`));
      });
    });
    return node;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get log(): string {
    return this.output;
  }

  request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: '${cmd}' got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, cmd, ...args });
    });
  }

  /** Graceful: app.close() in the child (drains, announces the leave), then waits for it to exit. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (!this.alive) return;
    await this.request('close', {}, timeoutMs).catch(() => undefined);
    await this.exited(timeoutMs);
  }

  /** A crash: no goodbye. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited(5_000);
  }

  private async exited(timeoutMs: number): Promise<void> {
    if (!this.alive) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, timeoutMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
