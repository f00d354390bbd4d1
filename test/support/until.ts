/**
 * Real event-loop turns until `condition` holds, bounded by a turn count rather than a clock: delivery needs turns,
 * and a loaded machine (or a fake clock) makes wall-clock waits either flaky or useless.
 */
export async function untilTurns(condition: () => boolean, what: string, maxTurns = 10_000): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > maxTurns) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
