import { constant, defineMessage, emptyList, emptyObject, generatedId, applicationNode, type FieldDefault } from './message-factory.js';
import {
  OptionalChoice,
  OptionalList,
  OptionalNumber,
  OptionalObject,
  OptionalText,
  RequiredChoice,
  RequiredText,
  SEVERITY_LEVELS,
  type SeverityLevel,
  Timestamp,
} from './payload-rules.js';

export const ANALYSIS_TYPES = ['bottleneck', 'memory_leak', 'cpu_hotspot', 'io_analysis'] as const;
export type AnalysisType = (typeof ANALYSIS_TYPES)[number];

export const SNAPSHOT_TYPES = ['full', 'partial', 'process_tree', 'memory_dump'] as const;
export type SnapshotType = (typeof SNAPSHOT_TYPES)[number];

export class DebugTrace {
  @OptionalText() traceId?: string;
  @RequiredText() component!: string;
  @RequiredText() operation!: string;
  @OptionalObject() traceData?: Record<string, unknown>;
  @OptionalList() stackTrace?: string[];
  @OptionalNumber() durationMs?: number;
  @OptionalText() node?: string;
  @OptionalObject() metadata?: Record<string, unknown>;
  @Timestamp() timestamp!: number;
}

export class PerformanceAnalysis {
  @OptionalText() analysisId?: string;
  @RequiredText() component!: string;
  @RequiredChoice(ANALYSIS_TYPES) analysisType!: AnalysisType;
  @OptionalObject() findings?: Record<string, unknown>;
  @OptionalList() recommendations?: string[];
  @OptionalChoice(SEVERITY_LEVELS) severity?: SeverityLevel;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export class SystemState {
  @OptionalText() snapshotId?: string;
  @RequiredChoice(SNAPSHOT_TYPES) snapshotType!: SnapshotType;
  @OptionalObject() stateData?: Record<string, unknown>;
  @OptionalNumber() processCount?: number;
  @OptionalNumber() memoryUsage?: number;
  @OptionalText() node?: string;
  @OptionalText() triggerReason?: string;
  @Timestamp() timestamp!: number;
}

export class ErrorAnalysis {
  @OptionalText() errorId?: string;
  @RequiredText() errorType!: string;
  @RequiredText() errorMessage!: string;
  @OptionalList() stackTrace?: string[];
  @OptionalObject() context?: Record<string, unknown>;
  @OptionalNumber() frequency?: number;
  @OptionalNumber() firstSeen?: number;
  @OptionalNumber() lastSeen?: number;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

/** The message's `timestamp`, given or not: a first report of an error is both its first and its last sighting. */
const sameAsTimestamp: FieldDefault = ({ timestamp }) => timestamp;

export const DiagnosticsMessages = Object.freeze({
  debugTrace: defineMessage(
    'debug_trace',
    DebugTrace,
    {
      traceId: generatedId('trace_'),
      metadata: emptyObject,
    },
    { node: applicationNode },
  ),
  performanceAnalysis: defineMessage(
    'performance_analysis',
    PerformanceAnalysis,
    {
      analysisId: generatedId('analysis_'),
      recommendations: emptyList,
      severity: constant('medium'),
    },
    { node: applicationNode },
  ),
  systemState: defineMessage(
    'system_state',
    SystemState,
    {
      snapshotId: generatedId('snapshot_'),
    },
    { node: applicationNode },
  ),
  errorAnalysis: defineMessage(
    'error_analysis',
    ErrorAnalysis,
    {
      errorId: generatedId('error_'),
      stackTrace: emptyList,
      context: emptyObject,
      frequency: constant(1),
      firstSeen: sameAsTimestamp,
      lastSeen: sameAsTimestamp,
    },
    { node: applicationNode },
  ),
});

export type DiagnosticsMessageType = (typeof DiagnosticsMessages)[keyof typeof DiagnosticsMessages]['type'];
