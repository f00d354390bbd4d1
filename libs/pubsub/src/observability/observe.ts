import { Observable } from 'rxjs';
import type { MessageHandler, PubSubMessage, Subscription } from '../channels/channel.types.js';

/**
 * A cold Observable over a subscription: each rxjs subscriber opens its own subscription (with the same
 * mailbox, overflow and concurrency rules as `subscribe`) and the teardown closes it, so an abandoned
 * stream never leaves a mailbox filling up behind it.
 */
export function observeSubscription<P>(open: (handler: MessageHandler) => Subscription): Observable<PubSubMessage<P>> {
  return new Observable<PubSubMessage<P>>((subscriber) => {
    const subscription = open((message) => subscriber.next(message as PubSubMessage<P>));
    return () => subscription.unsubscribe();
  });
}
