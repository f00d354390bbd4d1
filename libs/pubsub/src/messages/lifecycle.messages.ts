import { ValidateIf } from 'class-validator';
import { constant, defineMessage, emptyObject, applicationNode, type PayloadDraft } from './message-factory.js';
import {
  AnyValue,
  OptionalChoice,
  OptionalNumber,
  OptionalObject,
  OptionalText,
  ProcessId,
  QUORUM_STATUSES,
  type QuorumStatus,
  RequiredChoice,
  RequiredList,
  RequiredText,
  Timestamp,
} from './payload-rules.js';

export const NODE_LIFECYCLE_EVENTS = ['joining', 'joined', 'leaving', 'left', 'down', 'reconnected'] as const;
export type NodeLifecycleEvent = (typeof NODE_LIFECYCLE_EVENTS)[number];

export const PROCESS_LIFECYCLE_EVENTS = ['started', 'stopped', 'crashed', 'restarted'] as const;
export type ProcessLifecycleEvent = (typeof PROCESS_LIFECYCLE_EVENTS)[number];

export const SUPERVISION_EVENTS = ['child_started', 'child_terminated', 'restart_limit_exceeded'] as const;
export type SupervisionEventKind = (typeof SUPERVISION_EVENTS)[number];

export const CLUSTER_MEMBERSHIP_EVENTS = ['node_added', 'node_removed', 'partition_detected', 'partition_healed'] as const;
export type ClusterMembershipEvent = (typeof CLUSTER_MEMBERSHIP_EVENTS)[number];

export class NodeLifecycle {
  @RequiredText() node!: string;
  @RequiredChoice(NODE_LIFECYCLE_EVENTS) event!: NodeLifecycleEvent;
  @OptionalNumber() clusterSize?: number;
  @OptionalObject() metadata?: Record<string, unknown>;
  @Timestamp() timestamp!: number;
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/** A process is identified by its pid, its name, or both; at least one must be there. */
export class ProcessLifecycle {
  @ValidateIf((process: ProcessLifecycle) => !isAbsent(process.pid) || isAbsent(process.name))
  @ProcessId()
  pid?: string | number;

  @ValidateIf((process: ProcessLifecycle) => !isAbsent(process.name) || isAbsent(process.pid))
  @RequiredText()
  name?: string;

  @OptionalText() module?: string;
  @RequiredChoice(PROCESS_LIFECYCLE_EVENTS) event!: ProcessLifecycleEvent;
  @OptionalText() node?: string;
  @AnyValue() reason?: unknown;
  @OptionalNumber() restartCount?: number;
  @Timestamp() timestamp!: number;
}

export class SupervisionEvent {
  @RequiredText() supervisor!: string;
  @OptionalObject() childSpec?: Record<string, unknown>;
  @RequiredChoice(SUPERVISION_EVENTS) event!: SupervisionEventKind;
  @OptionalText() node?: string;
  @AnyValue() reason?: unknown;
  @Timestamp() timestamp!: number;
}

export class ClusterMembership {
  @RequiredChoice(CLUSTER_MEMBERSHIP_EVENTS) event!: ClusterMembershipEvent;
  @RequiredList() affectedNodes!: string[];
  @RequiredList() activeNodes!: string[];
  @OptionalNumber() totalNodes?: number;
  @OptionalChoice(QUORUM_STATUSES) quorumStatus?: QuorumStatus;
  @OptionalText() originatingNode?: string;
  @Timestamp() timestamp!: number;
}

/** `activeNodes.length`. */
function activeNodeCount({ activeNodes }: PayloadDraft): number | undefined {
  return Array.isArray(activeNodes) ? activeNodes.length : undefined;
}

export const LifecycleMessages = Object.freeze({
  nodeLifecycle: defineMessage('node_lifecycle_event', NodeLifecycle, { metadata: emptyObject }, { node: applicationNode }),
  processLifecycle: defineMessage(
    'process_lifecycle_event',
    ProcessLifecycle,
    {
      reason: constant(null),
      restartCount: constant(0),
    },
    { node: applicationNode },
  ),
  supervisionEvent: defineMessage(
    'supervision_event',
    SupervisionEvent,
    {
      reason: constant(null),
    },
    { node: applicationNode },
  ),
  clusterMembership: defineMessage('cluster_membership_changed', ClusterMembership, {
    totalNodes: activeNodeCount,
    quorumStatus: constant('available'),
  }),
});

export type LifecycleMessageType = (typeof LifecycleMessages)[keyof typeof LifecycleMessages]['type'];
