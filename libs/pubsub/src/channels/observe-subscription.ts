import { Observable } from 'rxjs';
import type { MessageHandler, PubSubMessage, Subscription } from './channel.types.js';

/**
 * A cold Observable over a subscription: each rxjs subscriber opens its own subscription (with the same
 * mailbox, overflow and concurrency rules as `subscribe`) and the teardown closes it, so an abandoned
 * stream never leaves a mailbox filling up behind it. The stream completes when the channel closes
 * (application shutdown), so consumers such as Server-Sent Events responses end instead of hanging.
 */
export function observeSubscription<P>(
  open: (handler: MessageHandler) => Subscription,
  whenClosed: (listener: () => void) => () => void,
): Observable<PubSubMessage<P>> {
  return new Observable<PubSubMessage<P>>((subscriber) => {
    const subscription = open((message) => subscriber.next(message as PubSubMessage<P>));
    const forget = whenClosed(() => subscriber.complete());
    return () => {
      forget();
      subscription.unsubscribe();
    };
  });
}
