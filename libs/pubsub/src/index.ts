// The public surface of @gater/pubsub; nothing else is exported.
export { CHANNEL_NAMES, CHANNEL_INSTANCES, type ChannelName } from './channels/channel-names.js';
export type {
  ChannelStats,
  MessageHandler,
  OverflowPolicy,
  PublishAccepted,
  PublishAndWaitAccepted,
  PublishAndWaitOptions,
  PublishAndWaitResult,
  PublishOptions,
  PublishRefusal,
  PublishResult,
  PubSubMessage,
  RefusalReason,
  SubscribeOptions,
  Subscription,
} from './channels/channel.types.js';
export { Channel } from './channels/channel.js';
export {
  AlertsChannel,
  AuditChannel,
  DiagnosticsChannel,
  EventsChannel,
  HealthChannel,
  LifecycleChannel,
  LoggingChannel,
  MetricsChannel,
  SecurityChannel,
  SystemChannel,
} from './channels/channel-classes.js';
export { getChannelToken, InjectChannel } from './channels/channel-tokens.js';
export { PubSubManager } from './channels/pubsub-manager.js';
export type { TransportStatsView as TransportStats } from './channels/transport-stats-view.js';
export type { DeadLetterPayload } from './channels/channel-set.js';
export { matchTopic } from './routing/match-topic.js';
export { isValidTopic, isValidPattern } from './routing/topic-grammar.js';
export { OnChannel, type ChannelHandlerDecorator, type ChannelHandlerMethod } from './decorators/on-channel.decorator.js';
export {
  OnAlerts,
  OnAudit,
  OnDiagnostics,
  OnEvents,
  OnHealth,
  OnLifecycle,
  OnLogging,
  OnMetrics,
  OnSecurity,
  OnSystem,
} from './decorators/channel-decorators.js';
export { PubSubModule } from './module/pubsub.module.js';
export type {
  AlertingOptions,
  ChannelSettingsOptions,
  PubSubModuleOptions,
  PubSubTestOptions,
  EventEmitterBridgeOptions,
  TransportOptions,
} from './module/pubsub-options.interface.js';
export { recordMessages, RecordingTimeoutError, type MessageRecorder } from './testing/record-messages.js';
export { PubSubConfigService } from './integration/pubsub-config.service.js';
export { PubSubIntegration, type BatchEvent, type BatchResult, type SystemConfigOptions } from './integration/pubsub-integration.js';
export { HEALTH_BROADCAST_JOB, METRICS_BROADCAST_JOB } from './integration/broadcasters.js';
export type { AlertRule } from './integration/alert-rules.js';
export {
  PubSubSecurity,
  type PubSubSecurityOptions,
  type SecureMessageError,
  type SecureMessageResult,
  type SignedMessage,
} from './security/pubsub-security.js';
export { PubSubError, type PubSubErrorCode } from './pubsub-error.js';
export { PubSubHealthIndicator, type PubSubHealthResult } from './observability/health-indicator.js';
export type { MetricsOptions } from './observability/metrics-settings.js';
export type { MetricsRegistry } from './settings/metrics-settings.js';
export type { ChannelHealthDetail, PubSubHealthDetail } from './observability/health-report.js';
export * from './messages/index.js';
