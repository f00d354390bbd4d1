import { constant, defineMessage, emptyList, emptyObject, applicationNode } from './message-factory.js';
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

export const AUTH_EVENT_TYPES = ['login_success', 'login_failure', 'logout', 'token_refresh'] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

export const AUTH_METHODS = ['password', 'token', 'certificate', 'oauth'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export const VIOLATION_TYPES = [
  'unauthorized_access',
  'permission_denied',
  'rate_limit_exceeded',
  'invalid_token',
  'invalid_signature',
] as const;
export type ViolationType = (typeof VIOLATION_TYPES)[number];

export const SECURITY_ALERT_TYPES = ['brute_force', 'suspicious_activity', 'policy_violation', 'data_breach'] as const;
export type SecurityAlertType = (typeof SECURITY_ALERT_TYPES)[number];

export const SESSION_EVENT_TYPES = ['created', 'destroyed', 'expired', 'invalidated'] as const;
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

export class AuthEvent {
  @OptionalText() userId?: string;
  @RequiredChoice(AUTH_EVENT_TYPES) eventType!: AuthEventType;
  @RequiredChoice(AUTH_METHODS) authMethod!: AuthMethod;
  @OptionalText() sourceIp?: string;
  @OptionalText() userAgent?: string;
  @OptionalText() node?: string;
  @OptionalObject() metadata?: Record<string, unknown>;
  @Timestamp() timestamp!: number;
}

export class AccessViolation {
  @OptionalText() userId?: string;
  @RequiredChoice(VIOLATION_TYPES) violationType!: ViolationType;
  @RequiredText() resource!: string;
  @OptionalText() action?: string;
  @OptionalText() sourceIp?: string;
  @OptionalChoice(SEVERITY_LEVELS) severity?: SeverityLevel;
  @OptionalObject() metadata?: Record<string, unknown>;
  @Timestamp() timestamp!: number;
}

export class SecurityAlert {
  @RequiredChoice(SECURITY_ALERT_TYPES) alertType!: SecurityAlertType;
  @RequiredChoice(SEVERITY_LEVELS) severity!: SeverityLevel;
  @OptionalText() description?: string;
  @OptionalList() affectedUsers?: string[];
  @OptionalText() sourceIp?: string;
  @OptionalText() node?: string;
  @OptionalObject() metadata?: Record<string, unknown>;
  @Timestamp() timestamp!: number;
}

export class SessionEvent {
  @RequiredText() sessionId!: string;
  @OptionalText() userId?: string;
  @RequiredChoice(SESSION_EVENT_TYPES) eventType!: SessionEventType;
  @OptionalNumber() durationMs?: number;
  @OptionalText() sourceIp?: string;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export const SecurityMessages = Object.freeze({
  authEvent: defineMessage('auth_event', AuthEvent, { metadata: emptyObject }, { node: applicationNode }),
  accessViolation: defineMessage('access_violation', AccessViolation, {
    severity: constant('medium'),
    metadata: emptyObject,
  }),
  securityAlert: defineMessage(
    'security_alert',
    SecurityAlert,
    {
      affectedUsers: emptyList,
      metadata: emptyObject,
    },
    { node: applicationNode },
  ),
  sessionEvent: defineMessage('session_event', SessionEvent, {}, { node: applicationNode }),
});

export type SecurityMessageType = (typeof SecurityMessages)[keyof typeof SecurityMessages]['type'];
