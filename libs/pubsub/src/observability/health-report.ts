import type { ChannelName } from '../channels/channel-names.js';
import type { ChannelStats } from '../channels/channel.types.js';
import type { RecentLosses } from './recent-counts.js';

export interface ChannelHealthDetail {
  open: boolean;
  subscriptions: number;
  mailboxDepth: number;
  /** Messages full mailboxes discarded within the recent window (the alerting window). */
  recentDrops: number;
  dropped: number;
  /** Messages from other nodes known never to have arrived, within the recent window. */
  recentLost: number;
  lost: number;
}

export interface PubSubHealthDetail {
  node: string;
  nodes: number;
  transport: { type: string; connected: boolean };
  channels: Record<ChannelName, ChannelHealthDetail>;
  /** Why it is down; absent while up. */
  problems?: string[];
}

export interface HealthInputs {
  node: string;
  nodes: number;
  stats: readonly ChannelStats[];
  closed: ReadonlySet<ChannelName>;
  recent: ReadonlyMap<ChannelName, RecentLosses>;
  transport: { type: string; connected: boolean };
}

/** Up while every channel is open and the transport connected; drops and losses are detail, not down. */
export function healthReport(inputs: HealthInputs): { up: boolean; detail: PubSubHealthDetail } {
  const channels = {} as Record<ChannelName, ChannelHealthDetail>;
  for (const s of inputs.stats) {
    const recent = inputs.recent.get(s.channel);
    channels[s.channel] = {
      open: !inputs.closed.has(s.channel),
      subscriptions: s.subscriptions,
      mailboxDepth: s.mailboxDepth,
      recentDrops: recent?.dropped ?? 0,
      dropped: s.dropped,
      recentLost: recent?.lost ?? 0,
      lost: s.lost,
    };
  }
  const problems: string[] = [];
  if (inputs.closed.size > 0) problems.push(`channels closed: ${[...inputs.closed].join(', ')}`);
  if (!inputs.transport.connected) problems.push(`transport '${inputs.transport.type}' is not connected`);
  const detail: PubSubHealthDetail = { node: inputs.node, nodes: inputs.nodes, transport: inputs.transport, channels };
  if (problems.length > 0) detail.problems = problems;
  return { up: problems.length === 0, detail };
}
