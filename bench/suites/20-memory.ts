/**
 * Memory per idle subscription (100,000 distinct patterns) against EventEmitter2 and EventEmitter listeners,
 * and memory per queued message behind a blocked handler. Heap deltas after full collections; the pattern
 * strings, the handler and the payload exist before the baseline, so only the library's own structures count.
 */
import { EventEmitter } from 'node:events';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { check, formatBytes, heapUsed, yieldToLoop } from '../lib/measure.js';
import { newChannelSet } from '../lib/ours.js';
import { toEe2Pattern } from '../lib/peers.js';
import type { Suite, SuiteResult } from '../lib/types.js';

const SUBSCRIPTIONS = 100_000;
const QUEUED = 200_000;
const TARGET_BYTES_PER_SUBSCRIPTION = 1024;
const FAN_OUT = 10;
const QUEUED_FAN_OUT = 100_000;
const TARGET_BYTES_PER_QUEUED_DELIVERY = 64;

/** A third each of exact, inner-`*` and trailing-`*` patterns, sharing 100 first segments as tenants would. */
function distinctPatterns(): string[] {
  const patterns: string[] = [];
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const tenant = `tenant${i % 100}`;
    if (i % 3 === 0) patterns.push(`${tenant}:stream${i}:events`);
    else if (i % 3 === 1) patterns.push(`${tenant}:*:checkpoint${i}`);
    else patterns.push(`${tenant}:stream${i}:*`);
  }
  return patterns;
}

async function perSubscription(
  subscribeAll: (patterns: readonly string[], handler: () => void) => unknown,
  patterns: readonly string[],
): Promise<number> {
  const handler = (): void => {};
  const before = await heapUsed();
  const holder = subscribeAll(patterns, handler);
  const after = await heapUsed();
  check(holder !== undefined, 'subscriber set vanished');
  return (after - before) / patterns.length;
}

async function idleSubscriptions(): Promise<{ ours: number; ee2: number; ee: number }> {
  const patterns = distinctPatterns();
  const ee2Patterns = patterns.map(toEe2Pattern);
  const set = newChannelSet();
  const channel = set.channel('events');
  const ours = await perSubscription((list, handler) => {
    for (const pattern of list) channel.subscribe(pattern, handler);
    return set;
  }, patterns);
  check(channel.stats().subscriptions === SUBSCRIPTIONS, 'ours: not every subscription is open');
  set.close();
  const ee2 = await perSubscription((_, handler) => {
    const emitter = new EventEmitter2({ wildcard: true, delimiter: ':' });
    emitter.setMaxListeners(0);
    for (const pattern of ee2Patterns) emitter.on(pattern, handler);
    return emitter;
  }, patterns);
  const ee = await perSubscription((list, handler) => {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    for (const pattern of list) emitter.on(pattern, handler);
    return emitter;
  }, patterns);
  return { ours, ee2, ee };
}

/**
 * What a message costs while it waits behind a blocked handler, at two moments: right after the burst, when most
 * still wait for their turn in the publication queue (a burst's drafts: the id's sequence number and a queue slot,
 * see PublicationQueue.pushDraft), and once every turn has moved them into the subscription's own backlog, where
 * each is a built message (envelope, id and backlog slot).
 */
async function queuedMessages(): Promise<{ waiting: number; inBacklog: number }> {
  const set = newChannelSet();
  const channel = set.channel('events');
  const payload = Object.freeze({ component: 'bench', value: 1 });
  const topic = 'store:orders:appended';
  let started = 0;
  // Never resolves: with concurrency 1 every later message waits in the mailbox.
  channel.subscribe(
    'store:*',
    () => {
      started++;
      return new Promise(() => {});
    },
    { mailboxSize: QUEUED + 1, concurrency: 1 },
  );
  channel.publish(topic, 'warm_up', payload); // this one goes in flight and stays there
  await yieldToLoop();
  const before = await heapUsed();
  for (let i = 0; i < QUEUED; i++) channel.publish(topic, 'order_appended', payload);
  // No yield: no delivery turn may run before this measurement.
  globalThis.gc!();
  globalThis.gc!();
  const waiting = process.memoryUsage().heapUsed;
  // Each turn moves a bounded share (turn budget and time) into the backlog: enough turns for all of it.
  for (let i = 0; i < 200; i++) await yieldToLoop();
  const inBacklog = await heapUsed();
  const stats = channel.stats();
  check(
    started === 1 && stats.mailboxDepth === QUEUED && stats.dropped === 0,
    `queued ${stats.mailboxDepth}, started ${started}, dropped ${stats.dropped}`,
  );
  set.close();
  return { waiting: (waiting - before) / QUEUED, inBacklog: (inBacklog - before) / QUEUED };
}

/**
 * One publication fanned out to FAN_OUT subscriptions whose handlers are all blocked: what each waiting
 * delivery costs, the shared envelope included (target: at most 64 B, i.e. the envelope is not copied).
 */
async function queuedFanOut(): Promise<number> {
  const set = newChannelSet();
  const channel = set.channel('events');
  const payload = Object.freeze({ component: 'bench', value: 1 });
  const topic = 'cluster:health';
  for (let i = 0; i < FAN_OUT; i++) {
    channel.subscribe(topic, () => new Promise(() => {}), { mailboxSize: QUEUED_FAN_OUT + 1, concurrency: 1 });
  }
  channel.publish(topic, 'warm_up', payload); // one call in flight per subscription, staying there
  await yieldToLoop();
  const before = await heapUsed();
  for (let i = 0; i < QUEUED_FAN_OUT; i++) channel.publish(topic, 'health_checked', payload);
  // Measured once every turn has moved the deliveries into the ten backlogs, each message built and shared.
  for (let i = 0; i < 200; i++) await yieldToLoop();
  const after = await heapUsed();
  const stats = channel.stats();
  check(
    stats.mailboxDepth === QUEUED_FAN_OUT * FAN_OUT && stats.dropped === 0,
    `fan-out: queued ${stats.mailboxDepth}, dropped ${stats.dropped}`,
  );
  set.close();
  return (after - before) / (QUEUED_FAN_OUT * FAN_OUT);
}

const suite: Suite = {
  name: 'memory',
  async run(): Promise<SuiteResult> {
    const idle = await idleSubscriptions();
    const queued = await queuedMessages();
    const perDelivery = await queuedFanOut();
    const deliveryMet = perDelivery <= TARGET_BYTES_PER_QUEUED_DELIVERY;
    return {
      rows: [],
      lines: [
        `- Memory per idle subscription (${SUBSCRIPTIONS.toLocaleString('en')} distinct patterns, 1/3 exact, 1/3 inner \`*\`, 1/3 trailing \`*\`): ` +
          `**ours ${formatBytes(idle.ours)}**, EE2 ${formatBytes(idle.ee2)}, EventEmitter ${formatBytes(idle.ee)} (target < 1 KB: ${idle.ours < TARGET_BYTES_PER_SUBSCRIPTION ? 'met' : '**missed**'})`,
        `- Memory per queued message (${QUEUED.toLocaleString('en')} behind a blocked handler, shared payload): **ours ${formatBytes(queued.inBacklog)}** in the subscription's backlog (envelope, id and backlog slot); ${formatBytes(queued.waiting)} right after the burst, while most wait for their turn as drafts (the id's sequence number and a queue slot)`,
        `- Memory per queued delivery (${QUEUED_FAN_OUT.toLocaleString('en')} publications each fanned out to ${FAN_OUT} blocked subscriptions): ` +
          `**ours ${formatBytes(perDelivery)}** (target ≤ ${TARGET_BYTES_PER_QUEUED_DELIVERY} B: ${deliveryMet ? 'met' : '**missed**'})`,
      ],
      targets: [
        {
          name: 'memory per idle subscription < 1 KB',
          met: idle.ours < TARGET_BYTES_PER_SUBSCRIPTION,
          detail: `${formatBytes(idle.ours)} per subscription`,
        },
        {
          name: `memory per queued delivery ≤ ${TARGET_BYTES_PER_QUEUED_DELIVERY} B (fan-out ${FAN_OUT})`,
          met: deliveryMet,
          detail: `${formatBytes(perDelivery)} per delivery`,
        },
      ],
    };
  },
};
export default suite;
