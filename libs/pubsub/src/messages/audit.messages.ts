import { constant, defineMessage, emptyObject, applicationNode } from './message-factory.js';
import {
  OptionalBoolean,
  OptionalNumber,
  OptionalObject,
  OptionalText,
  RequiredBoolean,
  RequiredChoice,
  RequiredText,
  Timestamp,
} from './payload-rules.js';

export const DATA_CHANGE_ACTIONS = ['create', 'update', 'delete', 'read'] as const;
export type DataChangeAction = (typeof DATA_CHANGE_ACTIONS)[number];

export const ADMIN_ACTION_TYPES = ['user_created', 'user_deleted', 'permissions_changed', 'config_updated'] as const;
export type AdminActionType = (typeof ADMIN_ACTION_TYPES)[number];

export const COMPLIANCE_EVENT_TYPES = ['data_retention', 'data_export', 'data_deletion', 'policy_violation'] as const;
export type ComplianceEventType = (typeof COMPLIANCE_EVENT_TYPES)[number];

export class DataChange {
  @RequiredText() userId!: string;
  @RequiredText() resourceType!: string;
  @RequiredText() resourceId!: string;
  @RequiredChoice(DATA_CHANGE_ACTIONS) action!: DataChangeAction;
  @OptionalObject() changes?: Record<string, unknown>;
  @OptionalObject() metadata?: Record<string, unknown>;
  @OptionalText() sourceIp?: string;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export class AdminAction {
  @RequiredText() adminUserId!: string;
  @RequiredChoice(ADMIN_ACTION_TYPES) actionType!: AdminActionType;
  @OptionalText() targetResource?: string;
  @OptionalObject() details?: Record<string, unknown>;
  @OptionalText() justification?: string;
  @OptionalText() sourceIp?: string;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export class AccessLog {
  @RequiredText() userId!: string;
  @RequiredText() resourceType!: string;
  @OptionalText() resourceId?: string;
  @RequiredText() action!: string;
  @RequiredBoolean() success!: boolean;
  @OptionalNumber() durationMs?: number;
  @OptionalText() sourceIp?: string;
  @OptionalText() userAgent?: string;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export class ComplianceEvent {
  @RequiredChoice(COMPLIANCE_EVENT_TYPES) eventType!: ComplianceEventType;
  @RequiredText() complianceRule!: string;
  @OptionalObject() affectedData?: Record<string, unknown>;
  @OptionalText() actionTaken?: string;
  @OptionalText() userId?: string;
  @OptionalBoolean() automated?: boolean;
  @OptionalObject() metadata?: Record<string, unknown>;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export const AuditMessages = Object.freeze({
  dataChange: defineMessage(
    'data_change',
    DataChange,
    {
      changes: emptyObject,
      metadata: emptyObject,
    },
    { node: applicationNode },
  ),
  adminAction: defineMessage('admin_action', AdminAction, { details: emptyObject }, { node: applicationNode }),
  accessLog: defineMessage('access_log', AccessLog, {}, { node: applicationNode }),
  complianceEvent: defineMessage(
    'compliance_event',
    ComplianceEvent,
    {
      automated: constant(false),
      metadata: emptyObject,
    },
    { node: applicationNode },
  ),
});

export type AuditMessageType = (typeof AuditMessages)[keyof typeof AuditMessages]['type'];
