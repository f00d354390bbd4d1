/**
 * The wait before retry number `retry` (1 for the first): `baseMs` doubled per retry, capped at `maxMs`, with
 * "equal jitter" (between half and all of that) so that subscriptions failing together do not retry in step.
 */
export function retryDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  if (baseMs <= 0) return 0;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 52));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
