import { EventEmitter } from 'node:events';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Subject, filter } from 'rxjs';
import type { Channel } from '../../libs/pubsub/src/index.js';
import { newChannelSet, type ChannelSet } from './ours.js';
import { check } from './measure.js';

/** ours, EventEmitter2 as @nestjs/event-emitter configures it, @nestjs/event-emitter itself, an rxjs bus, node's EventEmitter. */
export type PeerName = 'ours' | 'ee2' | 'nest' | 'rxjs' | 'ee';
export const PEER_LABEL: Record<PeerName, string> = {
  ours: '@gater/pubsub',
  ee2: 'EventEmitter2',
  nest: '@nestjs/event-emitter',
  rxjs: 'rxjs Subject + filter',
  ee: 'EventEmitter',
};

/**
 * Reference semantics of the API (independent of the library's own matcher): an inner `*` matches exactly one
 * segment, a trailing `*` one or more.
 */
export function referenceMatch(pattern: string | readonly string[], topic: string | readonly string[]): boolean {
  const p = typeof pattern === 'string' ? pattern.split(':') : pattern;
  const t = typeof topic === 'string' ? topic.split(':') : topic;
  for (let i = 0; i < p.length; i++) {
    if (i >= t.length) return false;
    if (p[i] === '*') {
      if (i === p.length - 1) return true;
      continue;
    }
    if (p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

/** EE2's `*` is exactly one segment and `**` any number (zero included), so a trailing `*` becomes `**`. */
export function toEe2Pattern(pattern: string): string {
  return pattern.endsWith('*') ? `${pattern}*` : pattern;
}

/** A subscriber set on one peer: `publish` one message, `settle` once `expect(n)` handler calls have happened. */
export interface PeerInstance {
  readonly name: PeerName;
  publish(topic: string): void;
  /** Arms the counter for the next run; `settle()` resolves after `deliveries` handler calls. */
  expect(deliveries: number): void;
  settle(): Promise<void>;
  /** Handler calls counted since construction. */
  readonly total: number;
  /** Throws if anything was dropped, refused or failed. */
  verify(): void;
  dispose(): void | Promise<void>;
}

export const PAYLOAD = Object.freeze({ component: 'bench', value: 1 });
const SETTLE_TIMEOUT_MS = 120_000;

export class Counter {
  count = 0;
  total = 0;
  target = 0;
  private wake: (() => void) | undefined;
  readonly handler = (): void => {
    this.total++;
    if (++this.count === this.target && this.wake !== undefined) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  };
  expect(deliveries: number): void {
    this.count = 0;
    this.target = deliveries;
  }
  settle(name: string): Promise<void> {
    if (this.count >= this.target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name}: ${this.count}/${this.target} deliveries after ${SETTLE_TIMEOUT_MS} ms`)),
        SETTLE_TIMEOUT_MS,
      );
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * The "ours" peer over one channel, however it was built (a bare ChannelSet or a Nest application): publishes,
 * counts handler calls, and checks the channel's own stats against them.
 */
export function channelPeer(channel: Channel, counter: Counter, dispose: PeerInstance['dispose']): PeerInstance {
  return {
    name: 'ours',
    publish: (topic) => {
      channel.publish(topic, 'bench_event', PAYLOAD);
    },
    expect: (n) => counter.expect(n),
    settle: () => counter.settle('ours'),
    get total() {
      return counter.total;
    },
    verify() {
      const s = channel.stats();
      check(s.dropped === 0, `ours dropped ${s.dropped} messages`);
      check(s.failedPublications === 0, `ours refused ${s.failedPublications} publications`);
      check(s.handlerErrors === 0, `ours had ${s.handlerErrors} handler errors`);
      check(s.delivered === counter.total, `ours stats.delivered ${s.delivered} != handler calls ${counter.total}`);
      check(s.mailboxDepth === 0, `ours left ${s.mailboxDepth} messages queued`);
    },
    dispose,
  };
}

export function ourPeer(
  patterns: readonly string[],
  mailboxSize: number,
  options: Parameters<typeof newChannelSet>[0] = {},
): PeerInstance & { set: ChannelSet } {
  const set = newChannelSet(options);
  const channel = set.channel('events');
  const counter = new Counter();
  const subscriptions = patterns.map((pattern) => channel.subscribe(pattern, counter.handler, { mailboxSize }));
  const peer = channelPeer(channel, counter, () => {
    for (const s of subscriptions) s.unsubscribe();
    set.close();
  });
  return Object.assign(peer, { set });
}

export function ee2Peer(patterns: readonly string[]): PeerInstance {
  // As @nestjs/event-emitter builds it (EventEmitterModule.forRoot({ wildcard: true, delimiter: ':' })).
  const emitter = new EventEmitter2({ wildcard: true, delimiter: ':' });
  emitter.setMaxListeners(0);
  const counter = new Counter();
  for (const pattern of patterns) emitter.on(toEe2Pattern(pattern), counter.handler);
  return {
    name: 'ee2',
    publish: (topic) => {
      emitter.emit(topic, PAYLOAD);
    },
    expect: (n) => counter.expect(n),
    settle: () => counter.settle('ee2'),
    get total() {
      return counter.total;
    },
    verify() {},
    dispose: () => void emitter.removeAllListeners(),
  };
}

/** A pattern as the regular expression a do-it-yourself bus would filter topics with. */
export function patternRegExp(pattern: string): RegExp {
  const segments = pattern.split(':');
  const last = segments.length - 1;
  const source = segments
    .map((segment, i) => (segment !== '*' ? segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : i === last ? '[^:]+(?::[^:]+)*' : '[^:]+'))
    .join(':');
  return new RegExp(`^${source}$`);
}

/** The usual hand-made bus: one rxjs Subject, each subscriber piping it through a `filter` on the topic. */
export function rxjsPeer(patterns: readonly string[]): PeerInstance {
  const subject = new Subject<{ topic: string; payload: unknown }>();
  const counter = new Counter();
  const subscriptions = patterns.map((pattern) => {
    const regExp = patternRegExp(pattern);
    return subject.pipe(filter((event) => regExp.test(event.topic))).subscribe(counter.handler);
  });
  return {
    name: 'rxjs',
    publish: (topic) => {
      subject.next({ topic, payload: PAYLOAD });
    },
    expect: (n) => counter.expect(n),
    settle: () => counter.settle('rxjs'),
    get total() {
      return counter.total;
    },
    verify() {},
    dispose() {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}

/** The ceiling: exact topics only, so each pattern is expanded to the published topics it would match. */
export function eePeer(patterns: readonly string[], topics: readonly string[]): PeerInstance {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const counter = new Counter();
  const split = topics.map((topic) => topic.split(':'));
  for (const pattern of patterns) {
    const p = pattern.split(':');
    for (let i = 0; i < topics.length; i++) if (referenceMatch(p, split[i])) emitter.on(topics[i], counter.handler);
  }
  return {
    name: 'ee',
    publish: (topic) => {
      emitter.emit(topic, PAYLOAD);
    },
    expect: (n) => counter.expect(n),
    settle: () => counter.settle('ee'),
    get total() {
      return counter.total;
    },
    verify() {},
    dispose: () => void emitter.removeAllListeners(),
  };
}
