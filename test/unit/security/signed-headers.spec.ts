import type { PubSubMessage } from '../../../libs/pubsub/src/channels/channel.types.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';

const message = (extra: Partial<PubSubMessage> = {}): PubSubMessage => ({
  id: `m-${Math.random()}`,
  channel: 'events',
  topic: 'orders:1',
  type: 'placed',
  payload: { n: 1 },
  timestamp: Date.now(),
  node: 'a',
  ...extra,
});

describe('message headers and the signature', () => {
  const security = new PubSubSecurity({ secretKeyBase: 'headers-secret' });
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('signs headers with the message and delivers them after a JSON round trip', () => {
    const signed = JSON.parse(JSON.stringify(security.sign(message({ headers: { traceparent, tenant: 'acme' } }))));
    const result = security.validateSecureMessage(signed);
    expect(result).toEqual({ ok: true, message: expect.objectContaining({ headers: { traceparent, tenant: 'acme' } }) });
  });

  it('rejects a message whose headers were changed, added or removed after signing', () => {
    const changed = security.sign(message({ headers: { traceparent } }));
    changed.message.headers = { traceparent: traceparent.replace('b7ad', 'ffff') };
    expect(security.validateSecureMessage(changed)).toEqual({ ok: false, error: 'invalid_signature' });

    const added = security.sign(message());
    added.message.headers = { traceparent };
    expect(security.validateSecureMessage(added)).toEqual({ ok: false, error: 'invalid_signature' });

    const removed = security.sign(message({ headers: { traceparent } }));
    delete removed.message.headers;
    expect(security.validateSecureMessage(removed)).toEqual({ ok: false, error: 'invalid_signature' });
  });

  it('signs a message without headers exactly as before (no headers field)', () => {
    const signed = security.sign(message());
    expect(Object.keys(signed.message).sort()).toEqual(['channel', 'id', 'node', 'payload', 'timestamp', 'topic', 'type']);
  });

  it('refuses malformed headers as invalid_format, and sign() throws on them', () => {
    const signed = security.sign(message()) as unknown as { message: Record<string, unknown> };
    signed.message.headers = { n: 1 };
    expect(security.validateSecureMessage(signed)).toEqual({ ok: false, error: 'invalid_format' });
    expect(() => security.sign(message({ headers: { n: 1 } as never }))).toThrow(/headers/);
  });
});
