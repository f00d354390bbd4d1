import { describe, expect, it, jest } from '@jest/globals';
import { resolvePubSubSettings } from '../../../libs/pubsub/src/module/pubsub-settings.js';
import { Membership, type MembershipEvents } from '../../../libs/pubsub/src/transport/membership.js';

function membership(maxNodes: number, timeoutMs = 1_000) {
  const clock = { now: 1_000 };
  const events = { added: jest.fn(), removed: jest.fn(), refused: jest.fn() } satisfies MembershipEvents;
  return { clock, events, table: new Membership('self', timeoutMs, maxNodes, events, () => clock.now) };
}

describe('Membership: the live-node table is bounded by maxNodes', () => {
  it('never lists more than maxNodes (this node included) and reports each refusal', () => {
    const { table, events } = membership(10);
    for (let i = 0; i < 20_000; i++) table.seen(`fake-${i}`, 'epoch');
    expect(table.size).toBe(10);
    expect(table.nodes()).toHaveLength(10);
    expect(table.nodes()).toContain('self');
    expect(events.added).toHaveBeenCalledTimes(9);
    expect(events.refused).toHaveBeenCalledTimes(20_000 - 9);
  });

  it('a listed node keeps being refreshed while the table is full; a freed place goes to the next newcomer', () => {
    const { table, events, clock } = membership(3, 1_000);
    table.seen('a', 'e1');
    table.seen('b', 'e1');
    expect(table.seen('c', 'e1')).toBe(false);
    expect(events.refused).toHaveBeenLastCalledWith('c');
    clock.now += 800;
    table.seen('a', 'e1');
    clock.now += 800;
    table.sweep();
    expect(events.removed).toHaveBeenCalledWith('b', true, 1_600);
    expect(table.seen('c', 'e1')).toBe(true);
    expect(table.nodes()).toEqual(['a', 'c', 'self']);
  });

  it('maxNodes is an option: default 1_000, a positive whole number', () => {
    expect(resolvePubSubSettings({}, {}).maxNodes).toBe(1_000);
    expect(resolvePubSubSettings({ maxNodes: 5 }, {}).maxNodes).toBe(5);
    for (const bad of [0, -1, 2.5, '10', Number.NaN]) {
      expect(() => resolvePubSubSettings({ maxNodes: bad as number }, {})).toThrow(/maxNodes/);
    }
  });
});
