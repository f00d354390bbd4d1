import type { OutboundRefusal } from '../channels/channel-context.js';
import type { ChannelSet } from '../channels/channel-set.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import { describeError } from '../describe-error.js';
import { ERRORS } from '../error-messages.js';
import { ThrottledLog } from '../delivery/throttled-log.js';
import type { ChannelName } from '../channels/channel-names.js';
import type { DurableBackend } from '../durable/durable-backend.js';
import type { DurableStore } from './durable-store.js';
import { PubSubError } from '../pubsub-error.js';
import { PubSubSecurity } from '../security/pubsub-security.js';
import type { BoundChannels } from './bound-channels.js';
import type { Bus } from './bus.js';
import type { FrameGate } from './frame-gate.js';
import { InboundReceiver } from './inbound-receiver.js';
import { MembershipAnnouncer } from './membership-announcer.js';
import { Membership } from './membership.js';
import { DEFAULT_CLUSTER_TUNING, type ClusterTuning } from './cluster-tuning.js';
import { OutboundQueue } from './outbound-queue.js';
import { SequenceTracker } from './sequence-tracker.js';
import type { TransportAlert, TransportDependencies, TransportLayer } from './transport-contract.js';
import { emptyTransportStats, type TransportStats } from './transport-stats.js';
import { ViolationReporter } from './violation-reporter.js';
import { within } from './within.js';
import { FrameCodec, frameLimit, newEpoch, type Frame, type FrameKind, type FrameRejection } from './wire-frame.js';

export { DEFAULT_CLUSTER_TUNING, type ClusterTuning } from './cluster-tuning.js';

/** What the bind step gives a transport: the channels, and the self-monitor's ear for the bus's state. */
interface ServedChannels {
  channels: ChannelSet;
  alert: (alert: TransportAlert) => void;
  violations: ViolationReporter;
  announcer: MembershipAnnouncer;
  inbound: InboundReceiver;
}

const RESUME_POLL_MS = 50;
// The goodbye is a courtesy (peers would notice by the node timeout): not worth holding up a shutdown for.
const GOODBYE_WAIT_MS = 250;

/**
 * A node of a cluster over a Bus: outbound messages batched into signed frames, inbound frames validated
 * and delivered, membership by heartbeats, alerts when the bus goes down and comes back. The same class
 * runs over Redis and over the in-process MemoryHub, so both have the same semantics.
 */
export class ClusterTransport implements TransportLayer {
  private readonly counters: TransportStats;
  private readonly security: PubSubSecurity;
  private readonly codec: FrameCodec;
  private readonly outbound: OutboundQueue;
  private readonly membership: Membership;
  private readonly sequences = new SequenceTracker();
  private served: ServedChannels | undefined;
  /** Until shutdown: from then on publications stay on this node, as with no transport. */
  private transmitting = true;
  readonly transmit: (message: PubSubMessage) => OutboundRefusal | undefined;
  readonly durable: DurableBackend | undefined;
  private readonly log: ThrottledLog;
  private readonly tuning: ClusterTuning;
  private readonly timers: NodeJS.Timeout[] = [];
  private resumed = false;
  private resumeGeneration = 0;
  private down = false;
  private stopped = false;
  private lastJoinReply = 0;
  private lastHeardAt = 0;

  constructor(
    private readonly deps: TransportDependencies,
    private readonly bus: Bus,
    tuning: Partial<ClusterTuning> = {},
    /** Where durable subscriptions live across nodes (Redis Streams), opened and closed with the bus. */
    private readonly durableStore?: DurableStore & DurableBackend,
    /** Data frames go through it instead of a plain publish (the stream gate of retained channels over Redis). */
    private readonly gate?: FrameGate,
    /** The channels the durable store reads (retention, counters), known from the bind step on. */
    private readonly bound?: BoundChannels,
  ) {
    const { settings, logger } = deps;
    this.durable = durableStore;
    this.tuning = { ...DEFAULT_CLUSTER_TUNING, ...tuning };
    this.counters = emptyTransportStats(bus.kind, false);
    this.log = new ThrottledLog(logger);
    this.security = deps.security ?? new PubSubSecurity({ secretKeyBase: settings.secretKeys, messageMaxAgeMs: settings.messageMaxAgeMs });
    this.codec = new FrameCodec(
      settings.nodeName,
      newEpoch(),
      this.security,
      frameLimit(this.tuning.maxFrameBytes, settings.maxMessageBytes),
    );
    const { nodeTimeoutMs, maxNodes } = settings;
    this.membership = new Membership(settings.nodeName, nodeTimeoutMs, maxNodes, {
      added: (node) => this.side.announcer.added(node, this.membership.nodes()),
      removed: (node, timedOut, silentForMs) => this.side.announcer.removed(node, this.membership.nodes(), timedOut, silentForMs),
      refused: (node) => {
        this.counters.nodesRefused++;
        this.side.announcer.refused(node);
      },
    });
    this.outbound = new OutboundQueue(
      this.codec,
      {
        canSend: () => this.resumed && this.bus.up && !this.stopped,
        send: (frame, entries) => {
          this.counters.framesSent++;
          return this.gate === undefined ? this.bus.publish(frame) : this.gate.publish(frame, entries);
        },
        refused: (messages, reason) => this.refused(messages, reason),
        resending: () => this.gate?.resending(),
        // Too old for the bus, but a durable group still gets it, as it would have from a stream append.
        appendsExpired: (message) => this.gate?.appends(message.channel) ?? false,
        sent: (messages) => (this.counters.messagesSent += messages),
        failed: (message, reason) => this.sendFailed(message, reason),
        sendError: (error) =>
          this.log.warn('transport-publish-error', `Publishing a frame on ${bus.description} failed (will retry): ${describeError(error)}`),
      },
      { ...this.tuning, maxAgeMs: settings.messageMaxAgeMs, maxMessageBytes: settings.maxMessageBytes },
    );
    this.transmit = (message: PubSubMessage) => (this.transmitting ? this.outbound.offer(message) : undefined);
  }

  /**
   * The bind step: the channels were built after this transport (they took its transmit), and the self-monitor
   * after them. From here on what peers publish reaches the channels, and the bus's state reaches `alert`.
   */
  bind(channels: ChannelSet, alert: (alert: TransportAlert) => void): void {
    if (this.served !== undefined) throw new PubSubError('transport', ERRORS.transportBoundTwice);
    this.bound?.bind(channels);
    const { settings, logger } = this.deps;
    const violations = new ViolationReporter(channels, this.log);
    const { nodeTimeoutMs, maxNodes } = settings;
    const announcer = new MembershipAnnouncer(
      channels,
      settings.nodeName,
      alert,
      { nodeTimeoutMs, maxNodes },
      logger,
      () => this.membership.size,
    );
    const inbound = new InboundReceiver(
      this.codec,
      channels,
      this.sequences,
      violations,
      this.log,
      this.counters,
      this.bus.description,
      (frame) => this.fromPeer(frame),
      settings.messageMaxAgeMs,
    );
    this.served = { channels, alert, violations, announcer, inbound };
  }

  /** The channels' side of this transport; a transport started before its bind step is a programming error. */
  private get side(): ServedChannels {
    if (this.served === undefined) throw new PubSubError('transport', ERRORS.transportNotBound);
    return this.served;
  }

  async start(): Promise<void> {
    const { settings, logger } = this.deps;
    if (!this.security.hasSecret()) logger.warn(ERRORS.unsignedTransport(this.bus.description));
    this.side.inbound.listen(Date.now());
    await Promise.all([
      this.bus.open({ frame: (frame) => this.receive(frame), state: (up, reason) => this.onState(up, reason) }, this.tuning.openWaitMs),
      this.durableStore?.open(this.tuning.openWaitMs, {
        rejected: (channel, error) => this.rejectedEntry(channel, error),
        encodedTail: (message) => this.outbound.encodedTail(message),
        unsent: (channel) => this.outbound.unsent(channel),
      }),
    ]);
    if (this.stopped) return;
    if (!this.bus.up && !this.down) this.onState(false, 'not reachable at start-up');
    const every = (ms: number, tick: () => void) => this.timers.push(setInterval(tick, ms).unref());
    every(settings.heartbeatIntervalMs, () => this.announce('h'));
    every(Math.max(10, Math.min(1_000, Math.floor(settings.heartbeatIntervalMs / 2))), () => {
      if (this.hearsTheBus()) this.membership.sweep();
    });
  }

  nodes(): string[] {
    return this.membership.nodes();
  }

  stats(): TransportStats {
    return { ...this.counters, rejected: { ...this.counters.rejected }, pending: this.outbound.size, up: this.bus.up };
  }

  /**
   * Sends what is queued (bounded by closeFlushMs), announces the leave, closes the bus; every step is
   * bounded, so a frozen or unreachable backend cannot hold up the application's shutdown.
   */
  async close(): Promise<void> {
    if (this.stopped) return;
    // In parallel with the bus's steps, each of its own bounded the same way.
    const durableClosed = this.durableStore?.close();
    this.clearTimers();
    if (this.bus.up && this.resumed && !(await this.outbound.settle(this.tuning.closeFlushMs))) {
      this.log.warn('transport-close', `Closing with ${this.outbound.size} message(s) not sent after ${this.tuning.closeFlushMs} ms`);
    }
    this.stopped = true;
    this.outbound.abandon('the transport closed before it could send it');
    if (this.bus.up) await within(this.publish(this.codec.encodeBytes('b', [], this.outbound.published)), GOODBYE_WAIT_MS);
    this.shutdown();
    await Promise.all([this.bus.close(), durableClosed]);
  }

  /** Stops without a goodbye, as a crash would: peers notice only by the node timeout. For tests. */
  abort(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    this.shutdown();
    this.bus.abort();
    this.durableStore?.abort();
  }

  /** A stream entry that failed verification: counted and reported like a rejected bus frame, never delivered. */
  private rejectedEntry(channel: ChannelName, error: FrameRejection): void {
    this.counters.rejected[error] = (this.counters.rejected[error] ?? 0) + 1;
    this.side.violations.report({ error, claims: new Map([[channel, 1]]), bus: `${this.bus.description} (durable stream)` });
  }

  private shutdown(): void {
    this.resumeGeneration++;
    this.transmitting = false;
    this.served?.announcer.close();
    this.served?.violations.close();
  }

  private clearTimers(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  /**
   * Silence of peers means something only while this node's own link works: the bus is up and frames (our
   * own heartbeats come back as echoes) arrived within two heartbeat intervals. Otherwise it is this node
   * that is cut off, and nobody is declared failed.
   */
  private hearsTheBus(): boolean {
    return this.bus.up && this.resumed && Date.now() - this.lastHeardAt <= 2 * this.deps.settings.heartbeatIntervalMs;
  }

  private receive(frame: string | Buffer): void {
    this.lastHeardAt = Date.now();
    try {
      this.side.inbound.receive(frame);
    } catch (error) {
      // Never into the bus client's data handler: one bad frame must not disturb the connection.
      this.log.error('transport-receive', `A frame from ${this.bus.description} could not be processed: ${describeError(error)}`);
    }
  }

  private publish(frame: Buffer): Promise<number> {
    this.counters.framesSent++;
    return this.bus.publish(frame);
  }

  private announce(kind: FrameKind): Promise<number> {
    if (!this.bus.up || this.stopped) return Promise.resolve(0);
    return this.publish(this.codec.encodeBytes(kind, [], this.outbound.published)).catch((error: unknown) => {
      this.log.warn(`transport-announce-${kind}`, `Could not send a membership frame on ${this.bus.description}: ${describeError(error)}`);
      return 0;
    });
  }

  private fromPeer(frame: Frame): void {
    this.membership.seen(frame.node, frame.epoch);
    if (frame.kind === 'j') {
      // A node joined (or came back): tell it about us now rather than at the next heartbeat.
      const now = Date.now();
      if (now - this.lastJoinReply >= 20) {
        this.lastJoinReply = now;
        void this.announce('h');
      }
    } else if (frame.kind === 'b') {
      this.membership.left(frame.node, frame.epoch);
      this.sequences.forget(frame.node, frame.epoch);
    }
  }

  private onState(up: boolean, reason: string): void {
    if (this.stopped) return;
    this.counters.up = up;
    if (up) {
      if (this.down) {
        this.down = false;
        this.side.alert({
          rule: 'transport_up',
          severity: 'info',
          title: `Transport back: ${this.bus.description} (${reason}); sending ${this.outbound.size} queued message(s)`,
          details: { bus: this.bus.description, reason, pending: this.outbound.size },
        });
      }
      this.membership.refreshAll();
      void this.resume(++this.resumeGeneration);
      return;
    }
    this.resumed = false;
    this.resumeGeneration++;
    if (this.down) return;
    this.down = true;
    this.counters.outages++;
    this.side.alert({
      rule: 'transport_down',
      severity: 'critical',
      title:
        `Transport down: ${this.bus.description} (${reason}); local delivery continues, up to ${this.tuning.maxPending} ` +
        'message(s) wait to be sent, and it keeps reconnecting',
      details: { bus: this.bus.description, reason, pending: this.outbound.size },
    });
  }

  /**
   * Announces this node, then lets data flow once as many subscribers received the announcement as there
   * are known nodes (after a Redis restart, peers need a moment to resubscribe; what they miss would be
   * lost), or when the grace period ends.
   */
  private async resume(generation: number): Promise<void> {
    const deadline = Date.now() + this.tuning.resumeGraceMs;
    let kind: FrameKind = 'j';
    while (generation === this.resumeGeneration && this.bus.up) {
      const receivers = await this.announce(kind);
      if (generation !== this.resumeGeneration) return;
      if (receivers >= this.membership.size || Date.now() >= deadline) break;
      kind = 'h';
      await new Promise((resolve) => setTimeout(resolve, RESUME_POLL_MS));
    }
    // Which retained channels have durable groups, so the first frames carry the entries they need.
    await this.gate?.refresh();
    if (generation !== this.resumeGeneration || !this.bus.up) return;
    this.resumed = true;
    this.outbound.kick();
  }

  /** Held, not lost: the queue re-sends them in order (counted, and logged rate-limited). */
  private refused(messages: number, reason: string): void {
    this.counters.framesRefused++;
    this.log.warn(`transport-gate-${reason}`, ERRORS.framesHeldByGate(messages, reason, this.bus.description));
  }

  private sendFailed(message: PubSubMessage, reason: string): void {
    this.counters.sendFailures++;
    this.side.channels.channel(message.channel).counters.countFailure('not_sent');
    this.log.warn(
      `transport-send-failed:${message.channel}`,
      `Message ${message.id} on channel '${message.channel}' was not sent to other nodes: ${reason}`,
    );
  }
}
