import { constant, defineMessage, applicationNode } from './message-factory.js';
import {
  OptionalBoolean,
  OptionalObject,
  OptionalText,
  RequiredBoolean,
  RequiredChoice,
  RequiredObject,
  RequiredText,
  Timestamp,
} from './payload-rules.js';

export const SYSTEM_LIFECYCLE_EVENTS = ['starting', 'started', 'stopping', 'stopped'] as const;
export type SystemLifecycleEvent = (typeof SYSTEM_LIFECYCLE_EVENTS)[number];

export class SystemConfig {
  @RequiredText() component!: string;
  @RequiredObject() changes!: Record<string, unknown>;
  @OptionalObject() previousConfig?: Record<string, unknown> | null;
  @OptionalText() changedBy?: string;
  @OptionalText() node?: string;
  @Timestamp() timestamp!: number;
}

export class SystemLifecycle {
  @RequiredChoice(SYSTEM_LIFECYCLE_EVENTS) event!: SystemLifecycleEvent;
  @RequiredText() systemName!: string;
  @RequiredText() version!: string;
  @RequiredText() node!: string;
  @Timestamp() timestamp!: number;
}

export class FeatureToggle {
  @RequiredText() feature!: string;
  @RequiredBoolean() enabled!: boolean;
  @OptionalBoolean() previousState?: boolean | null;
  @RequiredText() changedBy!: string;
  @RequiredText() node!: string;
  @Timestamp() timestamp!: number;
}

export const SystemMessages = Object.freeze({
  systemConfig: defineMessage(
    'system_config_changed',
    SystemConfig,
    {
      previousConfig: constant(null),
      changedBy: constant('system'),
    },
    { node: applicationNode },
  ),
  systemLifecycle: defineMessage('system_lifecycle_event', SystemLifecycle, {}, { node: applicationNode }),
  featureToggle: defineMessage('feature_toggle_changed', FeatureToggle, {}, { node: applicationNode }),
});

export type SystemMessageType = (typeof SystemMessages)[keyof typeof SystemMessages]['type'];
