import { Channel } from './channel.js';
import type { ChannelContext } from './channel-context.js';
import type { ChannelName } from './channel-names.js';

// One class per channel so that each is injectable by its own type.
export class EventsChannel extends Channel {
  constructor(context: ChannelContext) {
    super('events', context);
  }
}
export class SystemChannel extends Channel {
  constructor(context: ChannelContext) {
    super('system', context);
  }
}
export class LoggingChannel extends Channel {
  constructor(context: ChannelContext) {
    super('logging', context);
  }
}
export class HealthChannel extends Channel {
  constructor(context: ChannelContext) {
    super('health', context);
  }
}
export class MetricsChannel extends Channel {
  constructor(context: ChannelContext) {
    super('metrics', context);
  }
}
export class SecurityChannel extends Channel {
  constructor(context: ChannelContext) {
    super('security', context);
  }
}
export class AuditChannel extends Channel {
  constructor(context: ChannelContext) {
    super('audit', context);
  }
}
export class AlertsChannel extends Channel {
  constructor(context: ChannelContext) {
    super('alerts', context);
  }
}
export class DiagnosticsChannel extends Channel {
  constructor(context: ChannelContext) {
    super('diagnostics', context);
  }
}
export class LifecycleChannel extends Channel {
  constructor(context: ChannelContext) {
    super('lifecycle', context);
  }
}

export type ChannelClass = new (context: ChannelContext) => Channel;

export const CHANNEL_CLASSES: Readonly<Record<ChannelName, ChannelClass>> = Object.freeze({
  events: EventsChannel,
  system: SystemChannel,
  logging: LoggingChannel,
  health: HealthChannel,
  metrics: MetricsChannel,
  security: SecurityChannel,
  audit: AuditChannel,
  alerts: AlertsChannel,
  diagnostics: DiagnosticsChannel,
  lifecycle: LifecycleChannel,
});
