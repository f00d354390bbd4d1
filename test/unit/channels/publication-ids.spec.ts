import type { PubSubMessage } from '@gater/pubsub';
import { createChannels } from '../../support/channels.js';

describe('ids of published messages', () => {
  it('are the result ids, unique and in publish order across thousand boundaries, on every subscription', async () => {
    const set = createChannels();
    const events = set.channel('events');
    const first: PubSubMessage[] = [];
    const second: PubSubMessage[] = [];
    events.subscribe('t:*', (message) => void first.push(message), { mailboxSize: 5_000 });
    events.subscribe('t:a', (message) => void second.push(message), { mailboxSize: 5_000 });
    const ids: string[] = [];
    for (let i = 0; i < 2_500; i++) {
      const result = events.publish(i % 2 === 0 ? 't:a' : 't:b', 'x', { i });
      if (!result.ok) throw new Error(result.error);
      ids.push(result.id);
    }
    expect(await set.drain(5_000)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.map((m) => m.id)).toEqual(ids);
    expect(second.map((m) => m.id)).toEqual(ids.filter((_, i) => i % 2 === 0));
    const prefix = ids[0].slice(0, ids[0].indexOf('-') + 1);
    const counters = ids.map((id) => Number(id.slice(prefix.length)));
    for (let i = 1; i < counters.length; i++) expect(counters[i]).toBe(counters[i - 1] + 1);
    set.close();
  });

  it('are own enumerable string data properties of a plain message that spreads and serialises whole', async () => {
    const set = createChannels();
    const received: PubSubMessage[] = [];
    set.channel('events').subscribe('t:*', (message) => void received.push(message));
    const result = set.channel('events').publish('t:a', 'x', { n: 1 });
    expect(await set.drain(1_000)).toBe(true);
    const [message] = received;
    expect(result).toEqual({ ok: true, id: message.id });
    const descriptor = Object.getOwnPropertyDescriptor(message, 'id')!;
    expect(typeof descriptor.value).toBe('string');
    expect(descriptor.enumerable).toBe(true);
    expect(descriptor.get).toBeUndefined();
    expect({ ...message }).toEqual(message);
    expect(JSON.parse(JSON.stringify(message))).toEqual({ ...message });
    set.close();
  });
});
