import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { context, trace, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Test } from '@nestjs/testing';
import { PubSubManager, PubSubModule, type PubSubMessage } from '@gater/pubsub';
import { waitFor } from '../support/channels.js';
import { RedisServer } from '../support/redis-server.js';
import { describeWithRedis } from './support/describe-with-redis.js';

const exporter = new InMemorySpanExporter();

async function startNode(url: string, prefix: string, nodeName: string) {
  const app = await Test.createTestingModule({
    imports: [
      PubSubModule.forRoot({
        nodeName,
        integration: false,
        secretKeyBase: 'tracing-across-nodes-secret',
        heartbeatIntervalMs: 200,
        nodeTimeoutMs: 2_000,
        transport: { type: 'redis', url, prefix },
      }),
    ],
  }).compile();
  app.useLogger(false);
  await app.init();
  return app;
}

describeWithRedis('tracing across nodes over Redis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  }, 30_000);
  afterAll(async () => {
    trace.disable();
    context.disable();
    await server?.stop();
  });

  it('carries headers and traceparent in the signed frame: the remote handler runs in a span of the same trace', async () => {
    const prefix = `tracing-${randomBytes(4).toString('hex')}`;
    const a = await startNode(server.url, prefix, 'node-a');
    const b = await startNode(server.url, prefix, 'node-b');
    try {
      const [managerA, managerB] = [a.get(PubSubManager), b.get(PubSubManager)];
      await waitFor(() => managerA.nodes().length === 2 && managerB.nodes().length === 2, 'both nodes to see each other');
      const received: PubSubMessage[] = [];
      managerB.channel('events').subscribe('orders:*', (message) => void received.push(message));
      const producer = trace.getTracer('test').startActiveSpan('checkout', (span) => {
        expect(managerA.channel('events').publish('orders:9', 'placed', { n: 9 }, { headers: { tenant: 'acme' } }).ok).toBe(true);
        span.end();
        return span.spanContext();
      });
      await waitFor(() => received.length === 1, 'the message on node b');
      expect(received[0].node).toBe('node-a');
      expect(received[0].headers).toEqual({ tenant: 'acme', traceparent: `00-${producer.traceId}-${producer.spanId}-01` });

      const remote = () =>
        exporter
          .getFinishedSpans()
          .filter((span) => span.kind === SpanKind.CONSUMER && span.attributes['messaging.client.id'] === 'node-b');
      await waitFor(() => remote().length === 1, 'the consumer span on node b');
      const [span] = remote();
      expect(span.spanContext().traceId).toBe(producer.traceId);
      expect(span.parentSpanContext?.spanId).toBe(producer.spanId);
      expect(span.links.map((link) => link.context.spanId)).toEqual([producer.spanId]);
      expect(span.attributes).toEqual(
        expect.objectContaining({
          'messaging.system': 'gater_pubsub',
          'messaging.destination.name': 'events',
          'gater_pubsub.message.node': 'node-a',
        }),
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
