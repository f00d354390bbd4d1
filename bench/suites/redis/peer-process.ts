import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PEER = join(dirname(fileURLToPath(import.meta.url)), 'peer.js');

/** A bench peer process (peer.ts), driven over IPC. */
export class PeerProcess {
  private readonly waiting = new Map<number, (reply: { ok: boolean; result?: unknown; error?: string }) => void>();
  private nextId = 1;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: { id?: number; ok: boolean; result?: unknown; error?: string }) => {
      if (reply.id === undefined) return;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  /** `peer`: another peer script speaking the same protocol (e.g. the durable bench's), with its own `env`. */
  static async start(
    kind: string,
    role: 'sender' | 'receiver',
    url: string,
    prefix: string,
    peer: { script?: string; env?: Record<string, string> } = {},
  ): Promise<PeerProcess> {
    const env = { ...process.env, ...peer.env, BENCH_REDIS_URL: url, BENCH_PREFIX: prefix, BENCH_NODE: `bench-${role}`, BENCH_ROLE: role };
    const execArgv = process.env.BENCH_PEER_EXEC_ARGV?.split(' ').filter(Boolean) ?? [];
    const child = fork(peer.script ?? PEER, [kind], { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench peer ${kind}/${role} not ready after 20 s`)), 20_000);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => reject(new Error(`bench peer ${kind}/${role} exited (${code})`)));
    });
    return new PeerProcess(child);
  }

  request<T>(cmd: string, args: Record<string, number> = {}, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench peer: '${cmd}' got no answer in ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.ok) resolve(reply.result as T);
        else reject(new Error(`bench peer: ${reply.error}`));
      });
      this.child.send({ id, cmd, ...args });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('close', {}, 5_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
