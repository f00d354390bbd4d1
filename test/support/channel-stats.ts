import type { ChannelStats } from '../../libs/pubsub/src/channels/channel.types.js';

/** A channel's stats with every counter at zero (channel `events`), overridden where a test needs it. */
export const zeroStats = (over: Partial<ChannelStats> = {}): ChannelStats => ({
  channel: 'events',
  instance: 'ex_esdb_events',
  published: 0,
  delivered: 0,
  failedPublications: 0,
  handlerErrors: 0,
  dropped: 0,
  subscriptions: 0,
  mailboxDepth: 0,
  lost: 0,
  acked: 0,
  redelivered: 0,
  pending: 0,
  retained: 0,
  ...over,
});
