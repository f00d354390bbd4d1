import { Redis } from 'ioredis';

/**
 * Waits until the consumer group of a durable name exists on a channel's stream. A new group starts at the end
 * of the stream, so a test (or the bench) publishes only once it is there: the member creates it asynchronously.
 */
export async function groupCreated(url: string, prefix: string, channel: string, durable: string, timeoutMs = 10_000): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const key = `${prefix}:stream:${channel}`;
  try {
    for (const deadline = Date.now() + timeoutMs; ;) {
      const groups = (await redis.call('XINFO', 'GROUPS', key).catch(() => [])) as unknown[][];
      if (groups.some((group) => String(group[1]) === durable)) return;
      if (Date.now() > deadline) throw new Error(`no consumer group '${durable}' on ${key} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    redis.disconnect();
  }
}
