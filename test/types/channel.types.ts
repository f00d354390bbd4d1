// Type tests, compiled by `npm run typecheck` (strict): each @ts-expect-error line must stay a compile error,
// so the check fails the day a typed mistake starts to compile.
import {
  OnChannel,
  OnHealth,
  type Channel,
  type HealthChannel,
  type MessageHandler,
  type PublishRefusal,
  type PublishResult,
  type PubSubMessage,
  type RefusalReason,
} from '@gater/pubsub';
import { applyDecorators } from '@nestjs/common';

declare const health: HealthChannel;
declare const channel: Channel;

interface StoreHealth {
  storeId: string;
}

// subscribe: a typed handler is accepted and fixes P; an untyped one sees `unknown`.
health.subscribe('store:*', (message: PubSubMessage<StoreHealth>) => message.payload.storeId.toUpperCase());
health.subscribe<StoreHealth>('store:*', (message) => message.payload.storeId.length);
health.subscribe(['store:*', 'cluster:*'], async (message) => message.topic, { retries: 1 });
// @ts-expect-error the payload is StoreHealth, which has no `other`
health.subscribe<StoreHealth>('store:*', (message) => message.payload.other);
// @ts-expect-error an untyped handler's payload is unknown
health.subscribe('store:*', (message) => message.payload.storeId);
// @ts-expect-error a handler that does not take a message
health.subscribe('store:*', (count: number) => count);
// @ts-expect-error subscribe options are checked
health.subscribe('store:*', () => undefined, { overflow: 'drop-all' });

const typedHandler: MessageHandler<StoreHealth> = (message) => message.payload.storeId;
channel.subscribe('store:*', typedHandler);
const anyMessage: MessageHandler = (message) => message.payload;
channel.subscribe('*', anyMessage);

// publish: P is inferred from the payload, or given and then enforced.
health.publish('store:a', 'store_checked', { storeId: 'a' });
health.publish<StoreHealth>('store:a', 'store_checked', { storeId: 'a' });
health.publish('store:a', 'store_checked');
health.publish('store:a', 'store_checked', undefined, { local: true });
health.publish<StoreHealth>('store:a', { type: 'store_checked', payload: { storeId: 'a' } });
// @ts-expect-error storeId must be a string
health.publish<StoreHealth>('store:a', 'store_checked', { storeId: 1 });
// @ts-expect-error a typed publication needs its payload
health.publish<StoreHealth>('store:a', 'store_checked');
// @ts-expect-error the message form checks the payload too
health.publish<StoreHealth>('store:a', { type: 'store_checked', payload: { storeId: 2 } });
// @ts-expect-error publish options are checked
health.publish('store:a', 'store_checked', {}, { local: 'yes' });

// PublishResult: narrowed by `ok`; a refusal always has a reason from the list and an error text.
const result = health.publish('store:a', 'store_checked', {});
if (!result.ok) {
  const reason: RefusalReason = result.reason;
  const error: string = result.error;
  void [reason, error];
} else {
  const id: string = result.id;
  void id;
}
if (result.ok) {
  // @ts-expect-error an accepted publication has no error text
  const error: string = result.error;
  void error;
}
// @ts-expect-error reasons are a closed list
const unknownReason: PublishResult = { ok: false, reason: 'nope', error: 'x' };
// @ts-expect-error a refusal always says why in words
const silentRefusal: PublishRefusal = { ok: false, reason: 'closed' };
// @ts-expect-error an accepted result has no reason
const mixed: PublishResult = { ok: true, id: 'a', reason: 'closed' };
void [unknownReason, silentRefusal, mixed];

function describeReason(reason: RefusalReason): string {
  switch (reason) {
    case 'invalid_topic':
    case 'invalid_type':
    case 'invalid_message':
    case 'too_large':
    case 'disabled':
    case 'closed':
      return reason;
    default: {
      const exhaustive: never = reason;
      return exhaustive;
    }
  }
}
void describeReason;

// Decorators take typed handlers, and only methods that can take a message.
class Handlers {
  @OnHealth('store:*')
  typed(message: PubSubMessage<StoreHealth>): string {
    return message.payload.storeId;
  }

  @OnHealth('store:*')
  @OnChannel('alerts', ['system_alerts:*'], { retries: 2 })
  async untyped(message: PubSubMessage): Promise<void> {
    void message;
  }

  @OnHealth('tick')
  noArgument(): void {}

  // @ts-expect-error a decorated method must take a message, not a number
  @OnHealth('store:*')
  wrong(count: number): number {
    return count;
  }

  // @ts-expect-error a decorated method takes one message, nothing else required
  @OnHealth('store:*')
  twoArguments(message: PubSubMessage, extra: string): void {
    void [message, extra];
  }

  // @ts-expect-error the channel name is checked
  @OnChannel('nope', 'store:*')
  unknownChannel(message: PubSubMessage): void {
    void message;
  }
}
void Handlers;

// The decorators still fit where Nest expects a MethodDecorator.
const asMethodDecorator: MethodDecorator = OnHealth('store:*');
applyDecorators(OnHealth('store:*'), OnChannel('alerts', '*'));
void asMethodDecorator;
