import { constant, defineMessage, emptyList, emptyObject, generatedId, applicationNode, type PayloadDraft } from './message-factory.js';
import {
  OptionalBoolean,
  OptionalList,
  OptionalNumber,
  OptionalObject,
  OptionalText,
  OptionalProcessId,
  RequiredChoice,
  RequiredObject,
  RequiredText,
  RequiredValue,
  Timestamp,
} from './payload-rules.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FILTER_TYPES = ['level', 'module', 'pattern', 'node'] as const;
export type LogFilterType = (typeof LOG_FILTER_TYPES)[number];

export const LOG_FILTER_ACTIONS = ['include', 'exclude', 'rate_limit'] as const;
export type LogFilterAction = (typeof LOG_FILTER_ACTIONS)[number];

export class LogEntry {
  @OptionalText() logId?: string;
  @RequiredChoice(LOG_LEVELS) level!: LogLevel;
  @RequiredText() message!: string;
  @OptionalText() module?: string;
  @OptionalText() function?: string;
  @OptionalNumber() line?: number;
  @OptionalText() node?: string;
  @OptionalProcessId() pid?: string | number;
  @OptionalObject() metadata?: Record<string, unknown>;
  @Timestamp() timestamp!: number;
}

export class LogSummary {
  @OptionalText() summaryId?: string;
  @RequiredText() timePeriod!: string;
  /** Entries per level, e.g. `{ info: 120, error: 3 }`. */
  @RequiredObject() logCounts!: Record<string, number>;
  @OptionalList() topErrors?: Record<string, unknown>[];
  @OptionalNumber() errorRate?: number;
  @OptionalList() nodesReporting?: string[];
  @OptionalNumber() totalLogs?: number;
  @Timestamp() timestamp!: number;
}

export class LogFilter {
  @OptionalText() filterId?: string;
  @RequiredChoice(LOG_FILTER_TYPES) filterType!: LogFilterType;
  @RequiredValue() filterValue!: unknown;
  @RequiredChoice(LOG_FILTER_ACTIONS) action!: LogFilterAction;
  @OptionalBoolean() enabled?: boolean;
  @OptionalText() createdBy?: string;
  @OptionalObject() metadata?: Record<string, unknown>;
  @Timestamp() timestamp!: number;
}

export class LogRotation {
  @OptionalText() rotationId?: string;
  @RequiredText() logType!: string;
  @OptionalText() oldFile?: string;
  @OptionalText() newFile?: string;
  @OptionalNumber() fileSize?: number;
  @OptionalNumber() entriesCount?: number;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

/** The sum of `logCounts`; a count that is not a number makes it NaN, so the payload is refused rather than miscounted. */
function sumOfLogCounts({ logCounts }: PayloadDraft): number | undefined {
  if (typeof logCounts !== 'object' || logCounts === null || Array.isArray(logCounts)) return undefined;
  let total = 0;
  for (const count of Object.values(logCounts)) total += typeof count === 'number' ? count : Number.NaN;
  return total;
}

export const LoggingMessages = Object.freeze({
  logEntry: defineMessage(
    'log_entry',
    LogEntry,
    {
      logId: generatedId('log_'),
      pid: () => process.pid,
      metadata: emptyObject,
    },
    { node: applicationNode },
  ),
  logSummary: defineMessage(
    'log_summary',
    LogSummary,
    {
      topErrors: emptyList,
      errorRate: constant(0),
      totalLogs: sumOfLogCounts,
    },
    { nodesReporting: (nodeName: string) => [nodeName] },
  ),
  logFilter: defineMessage('log_filter_updated', LogFilter, {
    enabled: constant(true),
    createdBy: constant('system'),
  }),
  logRotation: defineMessage(
    'log_rotation',
    LogRotation,
    {
      rotationId: generatedId('rotation_'),
    },
    { node: applicationNode },
  ),
});

export type LoggingMessageType = (typeof LoggingMessages)[keyof typeof LoggingMessages]['type'];
