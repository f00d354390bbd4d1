import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PubSubIntegration, PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { createChannels, RecordingLogger } from '../support/channels.js';
import { startApp } from '../support/pubsub-app.js';
import { recordFigure } from './support/figures.js';

/**
 * A type containing a newline and ANSI escapes was written verbatim into the error log: one message could
 * forge a line that looks like Nest's own, or repaint the terminal. Logged text is escaped; stacks keep their
 * line breaks.
 */
const FORGED = 'x\n[Nest] 1 - ERROR forged\u001b[31m';
const ESCAPED = 'x\\n[Nest] 1 - ERROR forged\\u001b[31m';
// Any control character except a stack's line breaks, and the Unicode line separators.
const UNSAFE = /[^\P{Cc}\n]|[\u2028\u2029]/u;

function expectSafeLine(line: string): void {
  expect(line).not.toContain('\n');
  expect(line).not.toMatch(UNSAFE);
}

describe('hardening: log forging through message text', () => {
  afterEach(() => jest.restoreAllMocks());

  it('a handler failing on a forged type logs one line with the type escaped, and a readable stack', async () => {
    const logger = new RecordingLogger();
    const set = createChannels({ logger });
    set.channel('events').subscribe('orders:*', (message: PubSubMessage) => {
      throw new Error(`cannot handle ${message.type}`);
    });
    expect(set.channel('events').publish('orders:1', FORGED).ok).toBe(true);
    await set.drain(1_000);
    expect(logger.errors.length).toBeGreaterThan(0);
    for (const { message, stack } of logger.errors) {
      expectSafeLine(message);
      expect(message).toContain(`failed on ${ESCAPED}`);
      expect(message).toContain(`cannot handle ${ESCAPED}`);
      // The stack's head repeats the message: escaped; its frames keep their line breaks.
      expect(stack).toBeDefined();
      expect(stack!).toContain(`cannot handle ${ESCAPED}`);
      expect(stack!).not.toContain('\n[Nest]');
      expect(stack!).not.toMatch(UNSAFE);
      expect(stack!.split('\n').length).toBeGreaterThan(2);
      expect(stack!.split('\n')[1]).toMatch(/^\s+at /);
    }
    recordFigure('hostile inputs tried');
  });

  it('refusals, drops and dead-letter failures with forged text are escaped too', async () => {
    const logger = new RecordingLogger();
    const set = createChannels({ logger });
    const events = set.channel('events');
    // A refused topic is quoted in the warning.
    expect(events.publish(`a:${FORGED}`, 't')).toMatchObject({ ok: false, reason: 'invalid_topic' });
    // A full mailbox names the type it discarded.
    events.subscribe('full', () => {}, { mailboxSize: 1 });
    events.publish('full', FORGED);
    events.publish('full', FORGED);
    // A failing dead-letter handler names the failure.
    set.channel('diagnostics').subscribe('dead_letter:*', () => {
      throw new Error(FORGED);
    });
    events.subscribe('fails', () => {
      throw new Error(FORGED);
    });
    events.publish('fails', 'boom');
    await set.drain(1_000);
    const lines = [...logger.warnings, ...logger.errors.map((e) => e.message)];
    expect(lines.filter((line) => line.includes(ESCAPED)).length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expectSafeLine(line);
    for (const { stack } of logger.errors) if (stack !== undefined) expect(stack).not.toMatch(UNSAFE);
    recordFigure('hostile inputs tried', 4);
  });

  it('carriage returns, line separators and bidi overrides are escaped; plain text is left alone', async () => {
    const logger = new RecordingLogger();
    const set = createChannels({ logger });
    set.channel('events').subscribe('t', () => {
      throw new Error('plain: café ✓ "quoted" \\n stays');
    });
    for (const type of ['cr\rforged', 'ls\u2028forged', 'rtl\u202eforged', 'nul\u0000forged', 'c1\u009bforged']) {
      set.channel('events').publish('t', type);
    }
    await set.drain(1_000);
    expect(logger.errors).toHaveLength(5);
    for (const { message } of logger.errors) {
      expectSafeLine(message);
      expect(message).not.toMatch(/[\u202e]/);
      expect(message).toContain('plain: café ✓ "quoted" \\n stays');
    }
    expect(logger.errors.map((e) => e.message.match(/failed on (\S+) /)?.[1])).toEqual([
      'cr\\rforged',
      'ls\\u2028forged',
      'rtl\\u202eforged',
      'nul\\u0000forged',
      'c1\\u009bforged',
    ]);
    recordFigure('hostile inputs tried', 5);
  });

  it('in a Nest application, lines logged directly (not through the throttled log) are escaped as well', async () => {
    const lines: string[] = [];
    const record = (message: unknown, stack?: unknown): void => {
      lines.push(String(message));
      if (typeof stack === 'string') lines.push(...stack.split('\n'));
    };
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(record);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(record);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(record);
    const app = await startApp({ options: { integration: true, healthBroadcastInterval: 600_000, metricsBroadcastInterval: 600_000 } });
    try {
      const manager = app.get(PubSubManager);
      manager.channel('events').subscribe('*', (message: PubSubMessage) => {
        throw new Error(`cannot handle ${message.type}`);
      });
      manager.channel('events').publish('orders', FORGED);
      // The integration layer logs its refusals itself, quoting the bad argument.
      expect(app.get(PubSubIntegration).broadcastStoreHealth(FORGED, 'component', 'healthy')).toMatchObject({ ok: false });
      await manager.drain(1_000);
    } finally {
      await app.close();
    }
    const forged = lines.filter((line) => line.includes('forged'));
    expect(forged.length).toBeGreaterThanOrEqual(3);
    for (const line of forged) expect(line).toContain(ESCAPED);
    expect(lines.some((line) => line.startsWith('[Nest] 1 - ERROR forged'))).toBe(false);
    for (const line of lines) expect(line).not.toMatch(UNSAFE);
    recordFigure('hostile inputs tried', 2);
  });
});
