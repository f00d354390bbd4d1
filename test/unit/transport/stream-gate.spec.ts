import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import { GATE_CHECK, GATED_PUBLISH } from '../../../libs/pubsub/src/transport/redis-streams/gate-scripts.js';
import { StreamGate, type CheckedPublisher, type ScriptRunner } from '../../../libs/pubsub/src/transport/redis-streams/stream-gate.js';

const retention = { maxMessages: 10, maxAgeMs: 60_000 };
const frame = Buffer.from('frame');

function entry(channel: 'audit' | 'events', n: number) {
  const message: PubSubMessage = { id: `m${n}`, channel, topic: 't:x', type: 'x', payload: n, timestamp: 1_000, node: 'a' };
  return { message, text: `[${n},"${channel}","m${n}","t:x","x",1000,${n}]` };
}

/** A gate whose Redis is a script: `checked` answers the check path, `run` the one-script path; calls are recorded. */
function gateWith(checked: Awaited<ReturnType<CheckedPublisher>>, scripted: unknown[] = [1, 'ready'], checkedPublishes?: () => boolean) {
  const calls: { via: 'checked' | 'run' | 'publish'; script?: string; keys?: string[]; watch?: string[] }[] = [];
  const run: ScriptRunner = async (script, keys) => {
    calls.push({ via: 'run', script, keys });
    return scripted;
  };
  const publishChecked: CheckedPublisher = async (watch, script, keys) => {
    calls.push({ via: 'checked', script, keys, watch });
    return checked;
  };
  const gate = new StreamGate({
    prefix: 'p',
    nodeName: 'a',
    busChannel: 'p:bus',
    security: new PubSubSecurity({ secretKeyBase: 'stream-gate-spec-secret-0123456789' }),
    run,
    publishChecked,
    checkedPublishes,
    publish: async () => {
      calls.push({ via: 'publish' });
      return 1;
    },
    policyOf: (channel) => (channel === 'audit' ? retention : undefined),
  });
  return { gate, calls };
}

describe('StreamGate: which way a frame goes, and what its answer means', () => {
  it('a frame without entries is checked (watching the refusal key and its markers) and its receivers are the answer', async () => {
    const { gate, calls } = gateWith({ reply: [1, 'absent'], receivers: 3 });
    expect(await gate.publish(frame, [entry('audit', 1), entry('events', 2), entry('audit', 3)])).toBe(3);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call.via).toBe('checked');
    expect(call.script).toBe(GATE_CHECK);
    expect(call.keys).toEqual([
      expect.stringMatching(/^p:gate:a:/),
      expect.stringMatching(/^p:gate:a:.*:pending$/),
      'p:stream:audit:groups',
      'p:stream:audit',
    ]);
    expect(call.watch).toEqual([call.keys![0], 'p:stream:audit:groups']);
  });

  it('a checked frame whose transaction did not run (a marker written after the check) is refused and held', async () => {
    const { gate } = gateWith({ reply: [1, 'absent'], receivers: undefined });
    expect(await gate.publish(frame, [entry('audit', 1)])).toEqual({ refused: 'changed', waitMs: 0 });
  });

  it('a refusing check teaches the state: a frame of a channel with a group then carries its entries in the one script', async () => {
    const { gate, calls } = gateWith({ reply: [-1, 'ready'], receivers: undefined });
    expect(await gate.publish(frame, [entry('audit', 1)])).toEqual({ refused: 'entries', waitMs: 0 });
    expect(gate.appends('audit')).toBe(true);
    expect(await gate.publish(frame, [entry('audit', 1)])).toBe(1);
    expect(calls.map((c) => c.via)).toEqual(['checked', 'run']);
    expect(calls[1].script).toBe(GATED_PUBLISH);
  });

  it('a frame of channels without retention is a plain PUBLISH', async () => {
    const { gate, calls } = gateWith({ reply: [1], receivers: 1 });
    expect(await gate.publish(frame, [entry('events', 1)])).toBe(1);
    expect(calls.map((c) => c.via)).toEqual(['publish']);
  });

  it('where the bus cannot publish in a transaction (one connection, Redis before 7.2), a frame without entries goes through the one script', async () => {
    let transactions = false;
    const { gate, calls } = gateWith({ reply: [1, 'absent'], receivers: 1 }, [2, 'absent'], () => transactions);
    expect(await gate.publish(frame, [entry('audit', 1), entry('events', 2)])).toBe(2);
    expect(calls.map((c) => [c.via, c.script])).toEqual([['run', GATED_PUBLISH]]);
    // Entries only for channels with a group: none here, so the script publishes the frame alone.
    expect(gate.appends('audit')).toBe(false);
    transactions = true;
    expect(await gate.publish(frame, [entry('audit', 3)])).toBe(1);
    expect(calls.map((c) => c.via)).toEqual(['run', 'checked']);
  });
});
