import { MemoryHub } from '../../libs/pubsub/src/transport/memory-hub.js';
import type { Backend, Tap } from './cluster-harness.js';
import { transportConformance } from './transport-conformance.js';

/** The in-process hub: one per cluster prefix, frames as text, outages simulated. */
function memoryBackend(): Backend {
  const hubs = new Map<string, MemoryHub>();
  const hub = (prefix: string) => {
    let found = hubs.get(prefix);
    if (found === undefined) hubs.set(prefix, (found = new MemoryHub()));
    return found;
  };
  return {
    name: 'memory',
    setup: async () => undefined,
    teardown: async () => hubs.clear(),
    join: (prefix) => ({ transport: { type: 'memory' }, memoryHub: hub(prefix) }),
    inject: async (prefix, text) => {
      hub(prefix).inject(text);
    },
    tap: async (prefix): Promise<Tap> => {
      const frames: string[] = [];
      const stop = hub(prefix).tap((text) => frames.push(text));
      return { frames, stop: async () => void stop() };
    },
    interrupt: async (prefix) => hub(prefix).setDown(true),
    restore: async (prefix) => hub(prefix).setDown(false),
  };
}

transportConformance(memoryBackend());
