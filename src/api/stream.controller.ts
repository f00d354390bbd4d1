import { Controller, Query, Sse, type MessageEvent } from '@nestjs/common';
import { PubSubManager } from '@gater/pubsub';
import { map, type Observable } from 'rxjs';
import { parseStreamQuery } from './stream-query.js';

/**
 * Server-Sent Events of one channel's messages matching a pattern, as JSON. Each client is one subscription,
 * released when the client goes away (Nest unsubscribes the observable when the response closes).
 */
@Controller('pubsub')
export class StreamController {
  constructor(private readonly manager: PubSubManager) {}

  @Sse('stream')
  stream(@Query('channel') channel?: string, @Query('pattern') pattern?: string): Observable<MessageEvent> {
    const query = parseStreamQuery(channel, pattern);
    return this.manager
      .channel(query.channel)
      .observe(query.pattern)
      .pipe(map((message) => ({ data: message, id: message.id })));
  }
}
