import type { ChannelSet } from '../channels/channel-set.js';
import { isChannelName, type ChannelName } from '../channels/channel-names.js';
import type { ThrottledLog } from '../delivery/throttled-log.js';
import type { SecureMessageError } from '../security/pubsub-security.js';
import type { SequenceTracker } from './sequence-tracker.js';
import type { TransportStats } from './transport-stats.js';
import type { ViolationReporter } from './violation-reporter.js';
import { claimedChannels, readEntry, unverifiedEnvelope, type Frame, type FrameCodec } from './wire-frame.js';

/**
 * The receiving half: every frame from the bus is validated (signature, age, replay, shape) before anything
 * in it is believed; data entries are checked against per-(node, channel) sequences (gaps counted in `lost`,
 * copies dropped) and handed to their channel, which matches them against its own subscriptions. Runs
 * synchronously per frame and never blocks on handlers (they run from mailboxes), so the bus connection
 * keeps draining.
 */
export class InboundReceiver {
  constructor(
    private readonly codec: FrameCodec,
    private readonly channels: ChannelSet,
    private readonly sequences: SequenceTracker,
    private readonly violations: ViolationReporter,
    private readonly log: ThrottledLog,
    private readonly stats: TransportStats,
    private readonly busDescription: string,
    /** Every authentic frame from another node, before its data is delivered (membership). */
    private readonly onFrame: (frame: Frame) => void,
  ) {}

  receive(text: string): void {
    if (this.codec.isOwnEcho(text)) return;
    this.stats.framesReceived++;
    const decoded = this.codec.decode(text);
    if (!decoded.ok) {
      this.reject(decoded.error, claimedNode(decoded.raw), claimedChannels(decoded.raw, decoded.body));
      return;
    }
    const frame = decoded.frame;
    if (frame.node === this.codec.node) {
      if (frame.epoch === this.codec.epoch) return;
      this.log.warn(
        'transport-duplicate-node-name',
        `Another process uses this node's name '${frame.node}' on ${this.busDescription}: give every process its own nodeName`,
      );
    }
    this.onFrame(frame);
    if (frame.kind === 'd') this.deliver(frame);
    else if (frame.sent !== undefined) {
      for (const [channel, gap] of this.sequences.announced(frame.node, frame.epoch, frame.sent)) {
        this.countLost(channel, gap, frame.node, `announced up to ${frame.sent.get(channel)}`);
      }
    }
  }

  private deliver(frame: Frame): void {
    for (const raw of frame.entries) {
      const entry = readEntry(raw, frame.node);
      if (entry === undefined) {
        // Authentic but unreadable: a peer speaking another version of the wire format.
        const channel = Array.isArray(raw) && isChannelName(raw[0]) ? raw[0] : 'security';
        this.reject('invalid_format', frame.node, new Map([[channel, 1]]));
        continue;
      }
      const { message, seq } = entry;
      const verdict = this.sequences.check(frame.node, frame.epoch, message.channel, seq);
      if (!verdict.deliver) {
        this.stats.duplicates++;
        continue;
      }
      if (verdict.gap > 0) this.countLost(message.channel, verdict.gap, frame.node, `sequence ${seq - verdict.gap} to ${seq - 1}`);
      this.stats.messagesReceived++;
      this.channels.channel(message.channel).receive(message);
    }
  }

  private countLost(channel: ChannelName, gap: number, node: string, detail: string): void {
    this.stats.lost += gap;
    this.channels.channel(channel).counters.count('lost', gap);
    this.log.warn(`transport-lost:${channel}`, `${gap} message(s) on channel '${channel}' from node '${node}' never arrived (${detail}); counted in 'lost'`);
  }

  private reject(error: SecureMessageError, node: string | undefined, claims: Map<ChannelName, number>): void {
    this.stats.rejected[error] = (this.stats.rejected[error] ?? 0) + 1;
    this.violations.report({ error, claimedNode: node, claims, bus: this.busDescription });
  }
}

function claimedNode(raw: unknown): string | undefined {
  try {
    const node = unverifiedEnvelope(raw)?.node;
    return typeof node === 'string' ? node.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
