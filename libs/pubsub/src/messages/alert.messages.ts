import {
  callTime,
  constant,
  defineMessage,
  emptyList,
  emptyObject,
  generatedId,
  applicationNode,
  type PayloadDraft,
} from './message-factory.js';
import {
  OptionalBoolean,
  OptionalChoice,
  OptionalList,
  OptionalNumber,
  OptionalObject,
  OptionalText,
  RequiredChoice,
  RequiredText,
  Timestamp,
} from './payload-rules.js';

export const ALERT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_CATEGORIES = ['system', 'performance', 'security', 'data', 'network'] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

export const ESCALATION_LEVELS = ['level1', 'level2', 'level3'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export const DELIVERY_METHODS = ['email', 'sms', 'webhook', 'push'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

export const NOTIFICATION_STATUSES = ['sent', 'delivered', 'failed', 'bounced'] as const;
export type NotificationDeliveryStatus = (typeof NOTIFICATION_STATUSES)[number];

export class SystemAlert {
  /** 16 lowercase hex characters when generated. */
  @OptionalText() alertId?: string;
  @RequiredChoice(ALERT_SEVERITIES) severity!: AlertSeverity;
  @RequiredChoice(ALERT_CATEGORIES) category!: AlertCategory;
  @RequiredText() title!: string;
  @OptionalText() description?: string;
  @OptionalText() source?: string;
  @OptionalText() node?: string;
  @OptionalObject() metadata?: Record<string, unknown>;
  @OptionalBoolean() requiresAck?: boolean;
  @Timestamp() timestamp!: number;
}

export class AlertAck {
  @RequiredText() alertId!: string;
  @RequiredText() ackBy!: string;
  @OptionalText() ackNote?: string;
  @OptionalText() resolution?: string;
  @OptionalNumber() ackTimestamp?: number;
  @Timestamp() timestamp!: number;
}

export class AlertEscalation {
  @RequiredText() alertId!: string;
  @OptionalChoice(ESCALATION_LEVELS) fromLevel?: EscalationLevel;
  @RequiredChoice(ESCALATION_LEVELS) toLevel!: EscalationLevel;
  @OptionalText() escalationReason?: string;
  @OptionalText() escalatedBy?: string;
  @OptionalList() notifyContacts?: string[];
  @Timestamp() timestamp!: number;
}

export class NotificationStatus {
  @RequiredText() alertId!: string;
  @RequiredChoice(DELIVERY_METHODS) deliveryMethod!: DeliveryMethod;
  @OptionalText() recipient?: string;
  @RequiredChoice(NOTIFICATION_STATUSES) status!: NotificationDeliveryStatus;
  @OptionalText() errorReason?: string;
  @OptionalNumber() attempts?: number;
  @Timestamp() timestamp!: number;
}

/** True when severity is error or critical: such alerts wait for a human to acknowledge them. */
function needsAcknowledgement({ severity }: PayloadDraft): boolean {
  return severity === 'error' || severity === 'critical';
}

export const AlertMessages = Object.freeze({
  systemAlert: defineMessage(
    'system_alert',
    SystemAlert,
    {
      alertId: generatedId(),
      metadata: emptyObject,
      requiresAck: needsAcknowledgement,
    },
    { node: applicationNode },
  ),
  alertAck: defineMessage('alert_acknowledged', AlertAck, { ackTimestamp: callTime }),
  alertEscalation: defineMessage('alert_escalated', AlertEscalation, {
    escalatedBy: constant('system'),
    notifyContacts: emptyList,
  }),
  notificationStatus: defineMessage('notification_status', NotificationStatus, { attempts: constant(1) }),
});

export type AlertMessageType = (typeof AlertMessages)[keyof typeof AlertMessages]['type'];
