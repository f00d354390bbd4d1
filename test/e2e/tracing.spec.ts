import 'reflect-metadata';
import { context, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { PubSubManager, type PubSubMessage } from '@gater/pubsub';
import { waitFor } from '../support/channels.js';
import { startApp } from '../support/pubsub-app.js';

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

function registerTracing(): void {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
}

function unregisterTracing(): void {
  trace.disable();
  context.disable();
}

const consumerSpans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CONSUMER);
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

/** Publishes inside an active 'request' span, as an HTTP handler would, and returns that span. */
function publishInSpan(publish: () => void): Span {
  const tracer = trace.getTracer('test');
  return tracer.startActiveSpan('request', (span) => {
    publish();
    span.end();
    return span;
  });
}

describe('tracing through @opentelemetry/api', () => {
  beforeAll(registerTracing);
  afterAll(unregisterTracing);
  beforeEach(() => exporter.reset());

  it('injects traceparent at publish and runs each handler call in a CONSUMER span linked to the producer', async () => {
    const app = await startApp({ options: { nodeName: 'trace-node' } });
    try {
      const events = app.get(PubSubManager).channel('events');
      const seen: { message: PubSubMessage; activeSpanId?: string }[] = [];
      const subscription = events.subscribe('orders:*', (message) => {
        seen.push({ message, activeSpanId: trace.getActiveSpan()?.spanContext().spanId });
      });
      let id = '';
      const producer = publishInSpan(() => {
        const result = events.publish('orders:1', 'placed', { n: 1 }, { headers: { tenant: 'acme' } });
        id = result.ok ? result.id : '';
      });
      await waitFor(() => consumerSpans().length === 1, 'the consumer span');
      const { traceId, spanId } = producer.spanContext();
      expect(seen[0].message.headers).toEqual({ tenant: 'acme', traceparent: `00-${traceId}-${spanId}-01` });

      const [span] = consumerSpans();
      expect(span.name).toBe('process events');
      expect(span.spanContext().traceId).toBe(traceId);
      expect(parentOf(span)).toBe(spanId);
      expect(span.links.map((link) => link.context.spanId)).toEqual([spanId]);
      expect(span.attributes).toEqual(
        expect.objectContaining({
          'messaging.system': 'gater_pubsub',
          'messaging.destination.name': 'events',
          'messaging.destination.subscription.name': subscription.id,
          'messaging.operation.type': 'process',
          'messaging.message.id': id,
          'messaging.client.id': 'trace-node',
          'gater_pubsub.topic': 'orders:1',
          'gater_pubsub.message.type': 'placed',
        }),
      );
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      // The handler ran inside its span: spans it starts are children of it.
      expect(seen[0].activeSpanId).toBe(span.spanContext().spanId);
    } finally {
      await app.close();
    }
  });

  it('marks the span as an error when the handler throws or rejects, once per attempt', async () => {
    const app = await startApp();
    try {
      const alerts = app.get(PubSubManager).channel('alerts');
      alerts.subscribe('sync', () => {
        throw new Error('sync failure (expected by the test)');
      });
      alerts.subscribe('async', async () => Promise.reject(new Error('async failure (expected by the test)')), { retries: 1 });
      publishInSpan(() => {
        alerts.publish('sync', 't');
        alerts.publish('async', 't');
      });
      await waitFor(() => consumerSpans().length === 3, 'three consumer spans');
      const spans = consumerSpans();
      for (const span of spans) {
        expect(span.status.code).toBe(SpanStatusCode.ERROR);
        expect(span.events.map((event) => event.name)).toContain('exception');
      }
      expect(spans.map((span) => span.status.message).sort()).toEqual([
        'async failure (expected by the test)',
        'async failure (expected by the test)',
        'sync failure (expected by the test)',
      ]);
    } finally {
      await app.close();
    }
  });

  it('starts a root span, without link, for a message published outside any span, and keeps a given traceparent', async () => {
    const app = await startApp();
    try {
      const events = app.get(PubSubManager).channel('events');
      const seen: PubSubMessage[] = [];
      events.subscribe('*', (message) => void seen.push(message));
      events.publish('plain', 't');
      const relayed = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      publishInSpan(() => events.publish('relayed', 't', null, { headers: { traceparent: relayed } }));
      await waitFor(() => consumerSpans().length === 2, 'two consumer spans');
      expect(seen[0].headers).toBeUndefined();
      expect(seen[1].headers).toEqual({ traceparent: relayed });
      const [plain, relayedSpan] = consumerSpans();
      expect(parentOf(plain)).toBeUndefined();
      expect(plain.links).toEqual([]);
      expect(relayedSpan.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(parentOf(relayedSpan)).toBe('b7ad6b7169203331');
    } finally {
      await app.close();
    }
  });

  it('refuses headers that are not a plain object of string values, with invalid_message', async () => {
    const app = await startApp();
    try {
      const events = app.get(PubSubManager).channel('events');
      for (const headers of [{ n: 1 }, { s: null }, ['a'], 'text', new Map([['a', 'b']]), { [Symbol('s')]: 'x' }]) {
        expect(events.publish('a', 't', null, { headers: headers as never })).toEqual(
          expect.objectContaining({ ok: false, reason: 'invalid_message', error: expect.stringContaining('headers') }),
        );
      }
      expect(events.stats().failedPublications).toBe(6);
      expect(events.publish('a', 't', null, { headers: { __proto__: 'kept' } as never }).ok).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('is off with tracing: false, and by default when no tracer provider is registered', async () => {
    const off = await startApp({ options: { tracing: false } });
    const events = off.get(PubSubManager).channel('events');
    const seen: PubSubMessage[] = [];
    events.subscribe('*', (message) => void seen.push(message));
    publishInSpan(() => events.publish('a', 't'));
    await waitFor(() => seen.length === 1, 'delivery');
    expect(seen[0].headers).toBeUndefined();
    await off.close();

    // Decided at start-up: an application started before any provider was registered stays untraced.
    unregisterTracing();
    let unregistered: Awaited<ReturnType<typeof startApp>>;
    try {
      unregistered = await startApp();
    } finally {
      registerTracing();
    }
    const channel = unregistered.get(PubSubManager).channel('events');
    const received: PubSubMessage[] = [];
    channel.subscribe('*', (message) => void received.push(message));
    publishInSpan(() => channel.publish('a', 't'));
    await waitFor(() => received.length === 1, 'delivery');
    expect(received[0].headers).toBeUndefined();
    await unregistered.close();
    expect(consumerSpans()).toEqual([]);
  });
});
