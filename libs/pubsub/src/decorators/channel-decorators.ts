import type { ChannelName } from '../channels/channel-names.js';
import type { SubscribeOptions } from '../channels/channel.types.js';
import { OnChannel, type ChannelHandlerDecorator } from './on-channel.decorator.js';

type ChannelDecorator = (pattern: string | string[], options?: SubscribeOptions) => ChannelHandlerDecorator;

function channelDecorator(channel: ChannelName): ChannelDecorator {
  return (pattern, options) => OnChannel(channel, pattern, options);
}

export const OnEvents = channelDecorator('events');
export const OnSystem = channelDecorator('system');
export const OnLogging = channelDecorator('logging');
export const OnHealth = channelDecorator('health');
export const OnMetrics = channelDecorator('metrics');
export const OnSecurity = channelDecorator('security');
export const OnAudit = channelDecorator('audit');
export const OnAlerts = channelDecorator('alerts');
export const OnDiagnostics = channelDecorator('diagnostics');
export const OnLifecycle = channelDecorator('lifecycle');
