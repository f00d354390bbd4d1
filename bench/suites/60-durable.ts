/**
 * Durable delivery: what retention costs in memory per retained message, through PubSubModule.forRoot()
 * (heap after full collections, the payload shared so only the library's own structures count).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditChannel, EventsChannel, PubSubModule, type Channel } from '../../libs/pubsub/src/index.js';
import { check, formatBytes, heapUsed } from '../lib/measure.js';
import type { Suite, SuiteResult } from '../lib/types.js';

const RETAINED = 100_000;
const PAYLOAD = Object.freeze({ actor: 'user-42', resource: 'order', action: 'update' });

interface RetentionCost {
  /** Heap per publication on a channel that retains it. */
  retained: number;
  /** Heap per publication on a channel without retention (the envelope becomes garbage). */
  unretained: number;
  /** Heap per retained message once the log is full and every further publication evicts the oldest. */
  atCapacity: number;
}

async function publishAll(channel: Channel, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const result = channel.publish(`user:${i % 100}:changed`, 'record_changed', PAYLOAD);
    check(result.ok, `publish refused: ${JSON.stringify(result)}`);
  }
  check(await channel.drain(10_000), `${channel.name} did not drain`);
}

async function retentionCost(): Promise<RetentionCost> {
  const retention = { maxMessages: RETAINED, maxAgeMs: 86_400_000 };
  @Module({ imports: [PubSubModule.forRoot({ integration: false, channels: { audit: { retention } } })] })
  class RetentionBenchModule {}
  const app = await NestFactory.createApplicationContext(RetentionBenchModule, { logger: false });
  await app.init();
  try {
    const audit = app.get(AuditChannel);
    const events = app.get(EventsChannel);
    await publishAll(audit, 1_000); // warm-up: code paths compiled, log arrays allocated, then compacted away
    await publishAll(events, 1_000);
    let before = await heapUsed();
    await publishAll(events, RETAINED);
    const unretained = ((await heapUsed()) - before) / RETAINED;
    before = await heapUsed();
    const retainedBefore = audit.stats().retained;
    await publishAll(audit, RETAINED);
    const afterFill = await heapUsed();
    check(audit.stats().retained === RETAINED, `retained ${audit.stats().retained} of ${RETAINED}`);
    const added = RETAINED - retainedBefore;
    const retained = (afterFill - before) / added;
    await publishAll(audit, RETAINED); // a full log's worth more: each one evicts the oldest
    const afterWrap = await heapUsed();
    check(audit.stats().retained === RETAINED, `retained ${audit.stats().retained} after wrapping`);
    const atCapacity = (afterWrap - before) / added;
    return { retained, unretained, atCapacity };
  } finally {
    await app.close();
  }
}

const suite: Suite = {
  name: 'durable',
  async run(): Promise<SuiteResult> {
    const cost = await retentionCost();
    return {
      rows: [],
      lines: [
        `- Memory per retained message (${RETAINED.toLocaleString('en')} on \`audit\` through forRoot(), shared payload): ` +
          `**${formatBytes(cost.retained)}** (envelope, id, log slots); ${formatBytes(cost.atCapacity)} once the log is full and ` +
          `${RETAINED.toLocaleString('en')} more evicted the oldest; a channel without retention keeps ${formatBytes(cost.unretained)} per publication`,
      ],
    };
  },
};
export default suite;
