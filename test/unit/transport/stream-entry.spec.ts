import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';
import { decodeStreamEntry, encodeStreamEntry } from '../../../libs/pubsub/src/transport/redis-streams/stream-entry.js';
import { encodeMessage } from '../../../libs/pubsub/src/transport/wire-frame.js';

const security = new PubSubSecurity({ secretKeyBase: 'stream-entry-secret-0123456789abcdef' });
const message: PubSubMessage = { id: 'm-1', channel: 'audit', topic: 'user:1', type: 't', payload: { a: 'é\n"' }, timestamp: 1, node: 'n' };

describe('stream entries', () => {
  it('built from the bus serialisation of the same publication, is the entry built from the message', () => {
    const reused = encodeStreamEntry(message, security, encodeMessage(message)!.tail);
    expect(reused).toEqual(encodeStreamEntry(message, security));
    const [text, signature] = reused!;
    expect(decodeStreamEntry(['m', text, 's', signature], security, 10_000)).toEqual({ ok: true, message });
  });

  it('refuses an entry whose text was changed after signing', () => {
    const [text, signature] = encodeStreamEntry(message, security)!;
    expect(decodeStreamEntry(['m', text.replace('user:1', 'user:2'), 's', signature], security, 10_000)).toEqual({
      ok: false,
      error: 'invalid_signature',
    });
  });
});
