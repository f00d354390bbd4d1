import type { ChannelSet } from '../../libs/pubsub/src/channels/channel-set.js';
import { createChannels } from '../support/channels.js';
import { durableConformance } from './durable-conformance.js';

const open: ChannelSet[] = [];

durableConformance({
  name: 'memory',
  setup: async () => undefined,
  teardown: async () => undefined,
  open: async (options = {}) => {
    const set = createChannels({ defaults: { audit: { retention: options.auditRetention } } });
    open.push(set);
    return set;
  },
  closeAll: async () => {
    for (const set of open.splice(0)) set.close();
  },
});
