import { ChannelSet } from '../../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../../libs/pubsub/src/delivery/pubsub-logger.js';
import { SubscriptionIdSource } from '../../../libs/pubsub/src/channels/message-ids.js';

describe('subscription ids', () => {
  it('are <channel>-sub-<n> with n counting in base 36 from 1', () => {
    const source = new SubscriptionIdSource();
    const ids = Array.from({ length: 40 }, () => source.next('events'));
    expect(ids[0]).toBe('events-sub-1');
    expect(ids[35]).toBe('events-sub-10');
    expect(ids.map((id) => parseInt(id.slice('events-sub-'.length), 36))).toEqual(ids.map((_, i) => i + 1));
  });

  it('follow one sequence per ChannelSet: unique across its channels, not shared with another set in the process', () => {
    const first = new ChannelSet({ nodeName: 'ids-a', logger: silentLogger });
    const second = new ChannelSet({ nodeName: 'ids-b', logger: silentLogger });
    try {
      const a1 = first.channel('events').subscribe('x', () => undefined);
      const a2 = first.channel('alerts').subscribe('x', () => undefined);
      const a3 = first.channel('events').subscribe('x', () => undefined);
      const b1 = second.channel('events').subscribe('x', () => undefined);
      expect([a1.id, a2.id, a3.id]).toEqual(['events-sub-1', 'alerts-sub-2', 'events-sub-3']);
      // Another set starts its own sequence: subscriptions made elsewhere in the process do not move it.
      expect(b1.id).toBe('events-sub-1');
    } finally {
      first.close();
      second.close();
    }
  });
});
