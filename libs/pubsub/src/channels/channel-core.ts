import { PatternIndex } from '../routing/pattern-index.js';
import { isValidTopic } from '../routing/topic-grammar.js';
import { ChannelCounters } from '../delivery/channel-counters.js';
import { describeError } from '../describe-error.js';
import { drainTimeoutOf } from '../delivery/drain-timeout.js';
import { Mailbox, type HandlerWatch, type MailboxHost } from '../delivery/mailbox.js';
import { PublicationQueue } from '../delivery/publication-queue.js';
import type { ThrottledLog } from '../delivery/throttled-log.js';
import { CHANNEL_INSTANCES, type ChannelName } from './channel-names.js';
import type { ChannelContext, ChannelHooks } from './channel-context.js';
import type {
  ChannelStats,
  MessageHandler,
  PublishAndWaitResult,
  PublishOptions,
  PublishRefusal,
  PublishResult,
  PubSubMessage,
  RefusalReason,
  SubscribeOptions,
  Subscription,
} from './channel.types.js';
import { copyHeaders, type MessageHeaders } from './message-headers.js';
import { envelope, envelopeAtTurn } from './envelope.js';
import type { Observable } from 'rxjs';
import { observeSubscription } from './observe-subscription.js';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import type { DurableLag } from '../durable/durable-backend.js';
import { checkedPatterns, checkedSettings } from './subscribe-arguments.js';
import { checkedRetentionRequests } from './durable-arguments.js';
import { DurableSubscription, type DurableHost } from '../durable/durable-subscription.js';
import { ChannelRetention } from './channel-retention.js';
import { durableWaitKey, PublishWaits, waitOptionsOf } from './publish-waits.js';

export const MAX_TYPE_LENGTH = 256;

/**
 * One isolated channel: its own pattern index, mailboxes and counters. Publishing routes the message to the
 * mailboxes of matching subscriptions and returns; the scheduler runs the handlers later. The public Channel
 * (one class per channel, for injection) delegates here: this class is the one every channel's hot path runs
 * on, so V8 sees one object shape there however many channels an application uses (see Channel).
 */
export class ChannelCore implements MailboxHost, DurableHost {
  readonly instance: string;
  readonly counters: ChannelCounters;
  /** @internal What this node keeps of the channel (recent, replay, durable subscriptions); undefined without retention. */
  readonly retention: ChannelRetention | undefined;
  private readonly index = new PatternIndex<Mailbox>();
  private readonly mailboxes = new Set<Mailbox>();
  private readonly publications: PublicationQueue;
  private readonly waits = new PublishWaits();
  private closed = false;
  /** Open observe() streams, completed at close. */
  private readonly closeListeners = new Set<() => void>();
  /** False from the start of shutdown: the drain finishes what was accepted, and nothing new is accepted. */
  private publishing = true;
  /** The hooks' checkedTypes this channel last asked, and its answer (asked again only if the hook changes). */
  private checkedTypesOf: ChannelHooks['checkedTypes'];
  private checkedTypes: ReadonlySet<string> | undefined;
  /** The smallest mailboxSize among the subscriptions; too small (never too large) once `smallestStale`. */
  private smallestMailbox = Number.POSITIVE_INFINITY;
  private smallestStale = false;

  constructor(
    readonly name: ChannelName,
    private readonly context: ChannelContext,
  ) {
    this.instance = CHANNEL_INSTANCES[name];
    this.counters = new ChannelCounters(name);
    this.publications = new PublicationQueue(
      name,
      (queue) => context.scheduler.schedule(queue),
      this.counters,
      (idSequence, parts) =>
        envelopeAtTurn(context.ids.idOf(idSequence), name, parts.topic, parts.type, parts.payload, parts.timestamp, context.nodeName),
    );
    this.retention = context.retention === undefined ? undefined : new ChannelRetention(context.retention, name, context.hooks);
  }

  get log(): ThrottledLog {
    return this.context.log;
  }

  publish(topic: unknown, typeOrMessage: unknown, payloadOrOptions?: unknown, maybeOptions?: unknown): PublishResult {
    if (!this.publishing) return this.refuse('closed', ERRORS.channelClosed(this.name));
    return this.accept(topic, typeOrMessage, payloadOrOptions, maybeOptions);
  }

  /** Channel.publishAndWait */
  publishAndWait(
    topic: unknown,
    typeOrMessage: unknown,
    payloadOrOptions?: unknown,
    maybeOptions?: unknown,
  ): Promise<PublishAndWaitResult> {
    if (!this.publishing) return Promise.resolve(this.refuse('closed', ERRORS.channelClosed(this.name)));
    const wanted = waitOptionsOf(typeof typeOrMessage === 'string' ? maybeOptions : payloadOrOptions);
    if (typeof wanted === 'string') return Promise.resolve(this.refuse('invalid_message', wanted));
    this.waits.open();
    const result = this.accept(topic, typeOrMessage, payloadOrOptions, maybeOptions);
    const durables = result.ok ? (this.retention?.durableWaitKeys(topic as string, wanted.local) ?? []) : [];
    return this.waits.settle(result, durables, wanted.timeoutMs);
  }

  /**
   * @internal Dead letters, which still go out while shutdown drains: they report on deliveries the drain
   * is finishing.
   */
  publishInternal(topic: string, message: { type: string; payload?: unknown }, options?: PublishOptions): PublishResult {
    return this.accept(topic, message, options);
  }

  private accept(topic: unknown, typeOrMessage: unknown, payloadOrOptions?: unknown, maybeOptions?: unknown): PublishResult {
    try {
      if (this.closed) return this.refuse('closed', ERRORS.channelClosed(this.name));
      let type: unknown;
      let payload: unknown;
      let options: unknown;
      if (typeof typeOrMessage === 'string') {
        type = typeOrMessage;
        payload = payloadOrOptions;
        options = maybeOptions;
      } else if (typeOrMessage !== null && typeof typeOrMessage === 'object' && !Array.isArray(typeOrMessage)) {
        ({ type, payload } = typeOrMessage as { type: unknown; payload: unknown });
        options = payloadOrOptions;
        if (typeof type !== 'string') return this.refuse('invalid_message', ERRORS.messageWithoutType);
      } else {
        return this.refuse('invalid_type', ERRORS.notAMessage);
      }
      // A topic the index has cached a route for was valid when cached: skip re-parsing it on every publish.
      const knownRoute = this.index.cached(topic as string);
      if (knownRoute === undefined && !isValidTopic(topic)) return this.refuse('invalid_topic', ERRORS.invalidTopic(topic));
      if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH) {
        return this.refuse('invalid_type', ERRORS.invalidType(type));
      }
      if (options !== undefined && (options === null || typeof options !== 'object')) {
        return this.refuse('invalid_message', ERRORS.invalidPublishOptions);
      }
      // Read before routing: options whose getter throws must refuse the publication, not follow its delivery.
      const local = (options as PublishOptions | undefined)?.local === true;
      let headers = (options as PublishOptions | undefined)?.headers as unknown;
      if (headers !== undefined) {
        headers = copyHeaders(headers);
        if (typeof headers === 'string') return this.refuse('invalid_message', headers);
      }
      const propagate = this.context.hooks.propagate;
      if (propagate !== undefined) headers = propagate(headers as MessageHeaders | undefined);
      const given = payload === undefined ? null : payload;
      const { hooks } = this.context;
      const checked = this.typeChecked(type);
      const complete = checked ? hooks.complete : undefined;
      const id = this.context.ids.next();
      // Read at once: a hook below could publish, and a draft keeps this number instead of the id (see idOf).
      const idSequence = this.context.ids.sequence;
      const completed = complete === undefined ? given : complete(this.name, type, given, this.context.nodeName);
      const timestamp = this.context.clock.now();
      const invalid = checked ? hooks.validate?.(this.name, type, completed) : undefined;
      if (invalid !== undefined) return this.refuse('invalid_message', invalid);
      // In a burst the queue builds the message at its turn, if nothing needs it before (PublicationQueue.drafting).
      if (
        this.publications.drafting &&
        headers === undefined &&
        this.routeDraft(idSequence, topic as string, type, completed, timestamp, local, knownRoute)
      ) {
        return { ok: true, id };
      }
      const message = envelope(id, this.name, topic as string, type, completed, timestamp, this.context.nodeName);
      if (headers !== undefined) message.headers = headers as MessageHeaders;
      const refusal = local ? undefined : hooks.transmit?.(message);
      if (refusal !== undefined) return this.refuse(refusal.reason, refusal.error);
      this.counters.countPublished();
      if (this.retention !== undefined) this.retention.retain(message, local);
      this.route(message, knownRoute);
      if (!local) hooks.outbound?.(message);
      return { ok: true, id: message.id };
    } catch (error) {
      return this.refuse('invalid_message', describeError(error));
    }
  }

  subscribe<P = unknown>(pattern: string | string[], handler: MessageHandler<P>, options?: SubscribeOptions): Subscription {
    const patterns = checkedPatterns(this.name, pattern);
    if (typeof handler !== 'function') throw new PubSubError('invalid_handler', ERRORS.handlerNotAFunction(this.name, patterns));
    if (this.closed) throw new PubSubError('channel_closed', ERRORS.channelClosed(this.name));
    const settings = checkedSettings(this.name, options, this.context.defaults);
    const requests = checkedRetentionRequests(this.name, options, this.retention !== undefined, settings);
    const id = this.context.subscriptionIds.next(this.name);
    const instrumented =
      this.context.hooks.wrapHandler?.(handler as MessageHandler, { channel: this.name, subscription: id }) ?? (handler as MessageHandler);
    if (requests.durable !== undefined) {
      const run = this.waits.wrap(instrumented, durableWaitKey(requests.durable.durable));
      return this.retention!.subscribeDurable(id, patterns, run, requests.durable, this);
    }
    const mailbox = new Mailbox(id, patterns, instrumented, settings, this);
    this.mailboxes.add(mailbox);
    if (settings.mailboxSize < this.smallestMailbox) this.smallestMailbox = settings.mailboxSize;
    for (const p of new Set(patterns)) this.index.add(p, mailbox);
    if (requests.replay !== undefined) this.retention!.replayInto(mailbox, requests.replay, this.counters);
    return mailbox;
  }

  /** The retained messages matching `pattern`, oldest first, at most `limit`; none on a channel without retention. */
  recent(pattern: string | string[] = '*', limit = 100): PubSubMessage[] {
    const patterns = checkedPatterns(this.name, pattern);
    if (!Number.isInteger(limit) || limit < 0) {
      throw new PubSubError(
        'invalid_argument',
        ERRORS.invalidRecentArguments(this.name, `limit must be a non-negative integer, got ${String(limit)}`),
      );
    }
    return this.retention?.recent(patterns, limit) ?? [];
  }

  /**
   * The messages matching `pattern` as an rxjs Observable: each rxjs subscriber gets its own subscription
   * (same options as `subscribe`), closed on teardown. A bad pattern or bad options throw here, at once.
   */
  observe<P = unknown>(pattern: string | string[], options?: SubscribeOptions): Observable<PubSubMessage<P>> {
    checkedPatterns(this.name, pattern);
    checkedRetentionRequests(this.name, options, this.retention !== undefined, checkedSettings(this.name, options, this.context.defaults));
    return observeSubscription<P>(
      (handler) => this.subscribe(pattern, handler, options),
      (listener) => {
        this.closeListeners.add(listener);
        return () => this.closeListeners.delete(listener);
      },
    );
  }

  stats(): ChannelStats {
    // While the publication queue does not count per mailbox (see route), it holds only open mailboxes' deliveries.
    let mailboxDepth = this.counters.backlogged + this.publications.deliveries;
    if (this.publications.counting) {
      mailboxDepth = 0;
      for (const mailbox of this.mailboxes) mailboxDepth += mailbox.depth;
    }
    const c = this.counters;
    return {
      channel: this.name,
      instance: this.instance,
      published: c.published,
      delivered: c.delivered + this.publications.uncountedDeliveries,
      failedPublications: c.failedPublications,
      handlerErrors: c.handlerErrors,
      dropped: c.dropped,
      subscriptions: this.mailboxes.size + (this.retention?.subscriptions ?? 0),
      mailboxDepth,
      lost: c.lost,
      acked: c.acked,
      redelivered: c.redelivered,
      pending: this.retention?.pending ?? 0,
      retained: this.retention?.log.size ?? 0,
    };
  }

  /** Each durable name subscribed on this channel with its group's backlog (health, self-monitoring). */
  durableLag(): Array<{ durable: string } & DurableLag> {
    return this.retention?.lag() ?? [];
  }

  /**
   * True once every mailbox of this channel is empty and idle; false if `timeoutMs` (default 5_000;
   * Infinity: no limit) passes first. An invalid timeout (NaN, negative) waits for the default, with a warning.
   */
  drain(timeoutMs?: number): Promise<boolean> {
    return this.counters.whenIdle(drainTimeoutOf(timeoutMs, this.log));
  }

  /** Delivers a message that another node published; it never goes back out. */
  receive(message: PubSubMessage): void {
    if (this.closed) return;
    this.retention?.receive(message);
    this.route(message);
  }

  /** Shutdown begins: from now on `publish` returns 'closed'; what was accepted is still delivered. */
  stopPublishing(): void {
    this.publishing = false;
  }

  /**
   * After this, publish returns 'closed', remote messages are ignored and no handler of this channel runs
   * again: what its mailboxes still held, waiting or running, is discarded and counted in `dropped`.
   * Returns how many messages were discarded.
   */
  close(): number {
    this.closed = true;
    this.publishing = false;
    let discarded = 0;
    for (const mailbox of this.mailboxes) discarded += mailbox.abandon();
    discarded += this.retention?.abandon() ?? 0;
    // Abandoned mailboxes ignore what the queue still holds for them: let it go now rather than at its turn.
    this.publications.clear();
    this.waits.close();
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
    return discarded;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal MailboxHost */
  schedule(mailbox: Mailbox): void {
    this.context.scheduler.schedule(mailbox);
  }

  /** @internal MailboxHost */
  spill(): void {
    this.publications.spill();
  }

  /** @internal MailboxHost: publishAndWait follows the handler calls while one waits. */
  get watch(): HandlerWatch {
    return this.waits;
  }

  /** @internal MailboxHost */
  countShared(): void {
    this.publications.countTargets();
  }

  /** @internal MailboxHost */
  release(mailbox: Mailbox): void {
    if (!this.mailboxes.delete(mailbox)) return;
    if (mailbox.mailboxSize === this.smallestMailbox) this.smallestStale = true;
    if (this.waits.active !== 0) this.waits.released(mailbox);
    for (const p of new Set(mailbox.patterns)) this.index.remove(p, mailbox);
  }

  /** @internal DurableHost */
  releaseDurable(subscription: DurableSubscription): void {
    this.retention?.release(subscription);
  }

  /** @internal MailboxHost, DurableHost */
  deadLetter(message: PubSubMessage, error: unknown, attempts: number, subscription: { readonly id: string }): void {
    if (this.waits.active !== 0) {
      const key = subscription instanceof DurableSubscription ? durableWaitKey(subscription.settings.durable) : subscription.id;
      this.waits.deadLettered(message.id, key);
    }
    this.context.hooks.deadLetter?.(message, error, attempts, subscription.id);
  }

  /** One queue entry for the publication, sharing the cached route unless a full mailbox refused the message. */
  private route(message: PubSubMessage, targets = this.index.route(message.topic)): void {
    if (this.admitsAll()) {
      // No target has a backlog plus queued deliveries as long as its mailboxSize: each would admit the message
      // as it is, and their own counts are taken only when someone needs them (countShared).
      if (targets.length === 0) return;
      this.counters.begin(targets.length);
      this.publications.push(message, targets);
      return;
    }
    this.publications.countTargets();
    let admitted: Mailbox[] | undefined;
    for (let i = 0; i < targets.length; i++) {
      const accepted = targets[i].admit(message);
      if (!accepted && admitted === undefined) admitted = targets.slice(0, i);
      else if (accepted && admitted !== undefined) admitted.push(targets[i]);
    }
    const route = admitted ?? targets;
    if (this.waits.active !== 0) this.waits.routed(message, targets, route);
    if (route.length === 0) return;
    this.counters.begin(route.length);
    this.publications.push(message, route);
  }

  /**
   * route()'s common case for a publication whose message is built at its turn (counted as published); false
   * when the message is needed now (retention, a transport), the full route is (a bound near, a publishAndWait
   * open) or the queue does not draft it (see PublicationQueue.pushDraft): the caller then builds the message.
   */
  private routeDraft(
    idSequence: number,
    topic: string,
    type: string,
    payload: unknown,
    timestamp: number,
    local: boolean,
    known: readonly Mailbox[] | undefined,
  ): boolean {
    // Retention keeps the message, a transport sends it: both need it now.
    if (
      this.retention !== undefined ||
      (!local && (this.context.hooks.transmit !== undefined || this.context.hooks.outbound !== undefined))
    )
      return false;
    if (!this.admitsAll()) return false;
    const targets = known ?? this.index.route(topic);
    if (targets.length > 0 && !this.publications.pushDraft(idSequence, topic, type, payload, timestamp, targets)) return false;
    this.counters.countPublished();
    if (targets.length > 0) this.counters.begin(targets.length);
    return true;
  }

  /**
   * Whether every target admits a publication as it is, uncounted: no publishAndWait follows the route, the
   * queue does not count per mailbox, and no mailbox can be full (route's common case, and every draft's).
   */
  private admitsAll(): boolean {
    return this.waits.active === 0 && !this.publications.counting && this.noneFull();
  }

  /**
   * Whether no mailbox can be full: none holds more than every backlog together plus every publication queued
   * (each reaches it at most once), and that stays below the smallest mailboxSize.
   */
  private noneFull(): boolean {
    const most = this.counters.backlogged + this.publications.length;
    if (most < this.smallestMailbox) return true;
    if (!this.smallestStale) return false;
    this.smallestStale = false;
    this.smallestMailbox = Number.POSITIVE_INFINITY;
    for (const mailbox of this.mailboxes) if (mailbox.mailboxSize < this.smallestMailbox) this.smallestMailbox = mailbox.mailboxSize;
    return most < this.smallestMailbox;
  }

  /** Whether `complete` and `validate` apply to this type here (see ChannelHooks.checkedTypes). */
  private typeChecked(type: string): boolean {
    const source = this.context.hooks.checkedTypes;
    if (source === undefined) return true;
    if (source !== this.checkedTypesOf) {
      this.checkedTypesOf = source;
      this.checkedTypes = source(this.name);
    }
    return this.checkedTypes!.has(type);
  }

  private refuse(reason: RefusalReason, error: string): PublishRefusal {
    this.counters.countFailure(reason);
    this.log.warn(`refused:${this.name}:${reason}`, `Publication on channel '${this.name}' refused (${reason}): ${error}`);
    return { ok: false, reason, error };
  }
}
