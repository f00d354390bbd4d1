import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Jest runs without --expose-gc; the flag can be set at run time and the gc function read from a fresh context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Heap in use after a full collection: what is retained, not garbage the collector has not reached yet (which,
 * on a loaded machine, can be hundreds of MB and says nothing about a leak).
 */
export function retainedHeapBytes(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
