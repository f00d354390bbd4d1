import { Injectable } from '@nestjs/common';
import { OnAudit, OnEvents, PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { startApp } from '../support/pubsub-app.js';
import { waitFor } from '../support/channels.js';

describe('durable delivery through the module', () => {
  it('channels.<name>.retention from forRoot; decorators take replay and durable', async () => {
    @Injectable()
    class Consumers {
      readonly replayed: unknown[] = [];
      readonly durable: PubSubMessage[] = [];
      @OnEvents('order:*', { replay: 10 })
      onReplay(m: PubSubMessage) {
        this.replayed.push(m.payload);
      }
      @OnAudit('user:*', { durable: 'audit-writer', concurrency: 2 })
      onAudit(m: PubSubMessage) {
        this.durable.push(m);
      }
    }
    const app = await startApp({ providers: [Consumers], options: { channels: { events: { retention: { maxMessages: 100 } } } } });
    try {
      const manager = app.get(PubSubManager);
      const consumers = app.get(Consumers);
      manager.channel('events').publish('order:1', 't', 1);
      manager.channel('audit').publish('user:1', 'login', 'u1');
      await waitFor(() => consumers.replayed.length === 1 && consumers.durable.length === 1, 'deliveries');
      expect(manager.channel('events').recent('order:*')).toHaveLength(1);
      expect(consumers.durable[0].deliveryCount).toBe(1);
      await waitFor(() => manager.channel('audit').stats().acked === 1, 'ack');
      expect(manager.channel('events').stats().retained).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('an invalid retention fails start-up naming the option', async () => {
    await expect(startApp({ options: { channels: { events: { retention: { maxAgeMs: -5 } } } } })).rejects.toThrow(
      /channels\.events\.retention\.maxAgeMs/,
    );
  });
});
