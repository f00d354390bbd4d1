/** What a bench peer script answers to its parent (PeerProcess): a command name and its numeric arguments. */
export type PeerCommands = Record<string, (args: Record<string, number>) => unknown>;

/**
 * Serves the parent's IPC requests with `commands`, plus `close`, which runs `shutdown` and then exits; tells the
 * parent it is ready. One protocol for every peer script, so PeerProcess can drive any of them.
 */
export function servePeerCommands(commands: PeerCommands, shutdown: () => Promise<unknown>): void {
  const served: PeerCommands = {
    ...commands,
    close: async () => {
      await shutdown();
      setTimeout(() => process.exit(0), 10);
      return true;
    },
  };
  process.on('message', async (request: { id: number; cmd: string } & Record<string, number>) => {
    try {
      process.send!({ id: request.id, ok: true, result: await served[request.cmd](request) });
    } catch (error) {
      process.send!({ id: request.id, ok: false, error: String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true });
}
