import type { PubSubMessage } from '@gater/pubsub';
import { createChannels } from '../../support/channels.js';

describe('published envelopes', () => {
  it('are plain objects of the documented fields, with a numeric publish timestamp, headers only when given', async () => {
    const set = createChannels();
    const received: PubSubMessage[] = [];
    set.channel('events').subscribe('t:*', (message) => void received.push(message));
    const before = Date.now();
    set.channel('events').publish('t:a', 'x', { n: 1 });
    set.channel('events').publish('t:b', 'y', { n: 2 }, { headers: { k: 'v' } });
    expect(await set.drain(1_000)).toBe(true);
    const after = Date.now();
    expect(received).toHaveLength(2);
    const [plain, withHeaders] = received;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(['id', 'channel', 'topic', 'type', 'payload', 'timestamp', 'node']);
    expect(plain).toMatchObject({ channel: 'events', topic: 't:a', type: 'x', payload: { n: 1 }, node: 'test-node' });
    expect(typeof plain.timestamp).toBe('number');
    expect(plain.timestamp).toBeGreaterThanOrEqual(before);
    expect(plain.timestamp).toBeLessThanOrEqual(after);
    expect(JSON.parse(JSON.stringify(plain))).toEqual(plain);
    expect(withHeaders.headers).toEqual({ k: 'v' });
    expect(withHeaders.id).not.toBe(plain.id);
    set.close();
  });
});
