// The library under test, compiled together with the bench from its sources: ChannelSet is internal (the
// Nest module builds one per application), but `channel.publish` / `channel.subscribe` are the public path.
import { ChannelSet, type ChannelSetOptions } from '../../libs/pubsub/src/channels/channel-set.js';
import { silentLogger } from '../../libs/pubsub/src/delivery/pubsub-logger.js';
import { matchTopic } from '../../libs/pubsub/src/routing/match-topic.js';

export { ChannelSet, matchTopic };

export function newChannelSet(options: Partial<ChannelSetOptions> = {}): ChannelSet {
  return new ChannelSet({ nodeName: 'bench', logger: silentLogger, ...options });
}
