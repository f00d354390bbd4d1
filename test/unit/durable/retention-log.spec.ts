import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { RetentionLog, topicFilterOf } from '../../../libs/pubsub/src/durable/retention-log.js';

function message(n: number, topic = `t:${n}`, timestamp = 1_000 + n): PubSubMessage {
  return { id: `m${n}`, channel: 'audit', topic, type: 'x', payload: n, timestamp, node: 'n1' };
}

const all = topicFilterOf(['*']);

describe('RetentionLog', () => {
  it('keeps at most maxMessages, oldest evicted first and counted', () => {
    const log = new RetentionLog({ maxMessages: 3, maxAgeMs: 60_000 });
    for (let n = 0; n < 5; n++) expect(log.append(message(n))).toBe(n);
    expect(log.size).toBe(3);
    expect(log.start).toBe(2);
    expect(log.end).toBe(5);
    expect(log.evicted).toBe(2);
    expect(log.at(1)).toBeUndefined();
    expect(log.at(2)?.id).toBe('m2');
    expect(log.recent(all, 100).map((m) => m.id)).toEqual(['m2', 'm3', 'm4']);
  });

  it('evicts by the time this node accepted a message, not its timestamp', () => {
    let now = 10_000;
    const log = new RetentionLog({ maxMessages: 100, maxAgeMs: 1_000 }, () => now);
    log.append(message(0, 't:0', 0)); // a timestamp far in the past (clock skew) does not age it early
    now += 500;
    log.append(message(1));
    expect(log.size).toBe(2);
    now += 600;
    expect(log.size).toBe(1);
    expect(log.evicted).toBe(1);
    expect(log.recent(all, 10).map((m) => m.id)).toEqual(['m1']);
    now += 1_000;
    expect(log.recent(all, 10)).toEqual([]);
    expect(log.evicted).toBe(2);
  });

  it('recent returns the last matches oldest first, filtered by pattern', () => {
    const log = new RetentionLog({ maxMessages: 100, maxAgeMs: 60_000 });
    for (let n = 0; n < 10; n++) log.append(message(n, n % 2 === 0 ? `even:${n}` : `odd:${n}`));
    expect(log.recent(topicFilterOf(['even:*']), 3).map((m) => m.id)).toEqual(['m4', 'm6', 'm8']);
    expect(log.recent(topicFilterOf(['even:*', 'odd:9']), 2).map((m) => m.id)).toEqual(['m8', 'm9']);
    expect(log.recent(all, 0)).toEqual([]);
  });

  it('replay by count, since a time and since an id', () => {
    const log = new RetentionLog({ maxMessages: 100, maxAgeMs: 60_000 });
    for (let n = 0; n < 6; n++) log.append(message(n));
    expect(log.replay(all, 2).map((m) => m.id)).toEqual(['m4', 'm5']);
    expect(log.replay(all, { sinceMs: 1_003 }).map((m) => m.id)).toEqual(['m3', 'm4', 'm5']);
    expect(log.replay(all, { sinceId: 'm3' }).map((m) => m.id)).toEqual(['m4', 'm5']);
    expect(log.replay(all, { sinceId: 'm5' })).toEqual([]);
    // An id no longer retained: all of what is retained is newer.
    expect(log.replay(all, { sinceId: 'gone' }).map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(log.replay(all, { sinceId: 'm1', sinceMs: 1_004 }).map((m) => m.id)).toEqual(['m4', 'm5']);
  });

  it('firstSelected gives where a replaying group starts', () => {
    const log = new RetentionLog({ maxMessages: 4, maxAgeMs: 60_000 });
    for (let n = 0; n < 6; n++) log.append(message(n, n % 2 === 0 ? `even:${n}` : `odd:${n}`));
    const even = topicFilterOf(['even:*']);
    expect(log.firstSelected(even, 1)).toBe(4);
    expect(log.firstSelected(even, 5)).toBe(2);
    expect(log.firstSelected(all, 0)).toBe(6);
    expect(log.firstSelected(all, { sinceId: 'm3' })).toBe(4);
    expect(log.firstSelected(all, { sinceMs: 9_999 })).toBe(6);
  });

  it('positions keep increasing across compaction', () => {
    const log = new RetentionLog({ maxMessages: 10, maxAgeMs: 60_000 });
    for (let n = 0; n < 5_000; n++) log.append(message(n));
    expect(log.start).toBe(4_990);
    expect(log.at(4_990)?.id).toBe('m4990');
    expect(log.at(4_999)?.id).toBe('m4999');
    expect(log.evicted).toBe(4_990);
    expect(log.recent(all, 100)).toHaveLength(10);
  });

  it('tells its listener about each append', () => {
    const log = new RetentionLog({ maxMessages: 10, maxAgeMs: 60_000 });
    let calls = 0;
    log.onAppend = () => calls++;
    log.append(message(0));
    log.append(message(1));
    expect(calls).toBe(2);
  });

  it('keeps order and positions while its ring grows and wraps, evicting by count and by age', () => {
    let now = 0;
    const log = new RetentionLog({ maxMessages: 3_000, maxAgeMs: 1_000 }, () => now);
    for (let n = 0; n < 10_000; n++) {
      if (n === 9_500) now += 600; // the last 500 are younger
      expect(log.append(message(n))).toBe(n);
    }
    expect(log.start).toBe(7_000);
    expect(log.at(7_000)?.id).toBe('m7000');
    expect(log.at(9_999)?.id).toBe('m9999');
    expect(log.recent(all, 3).map((m) => m.id)).toEqual(['m9997', 'm9998', 'm9999']);
    expect(log.replay(all, { sinceId: 'm7001' })[0].id).toBe('m7002');
    now += 500; // the first 9,500 are now older than maxAgeMs
    expect(log.start).toBe(9_500);
    expect(log.acceptedTimeAt(9_500)).toBe(600);
    expect(log.size).toBe(500);
    expect(log.evicted).toBe(9_500);
    log.append(message(10_000));
    expect(log.recent(all, 1_000)).toHaveLength(501);
    expect(log.recent(all, 1_000)[0].id).toBe('m9500');
  });
});
