import type { HandlerTarget } from '../channels/channel-context.js';
import type { PubSubMessage } from '../channels/channel.types.js';
import type { MessageHeaders } from '../channels/message-headers.js';
import { describeError } from '../describe-error.js';
import { LIBRARY_VERSION } from '../library-version.js';
import { exportOf, loadPeer, tryLoadPeer, type OptionalPeer } from '../load-peer.js';
import type { CallScope, HandlerInstrument } from './instrument-handler.js';
import type { OtelApi, OtelTracer } from './otel-api.js';
import { formatTraceParent, parseTraceParent } from './traceparent.js';

export const OPENTELEMETRY_PEER: OptionalPeer = { specifier: '@opentelemetry/api', range: '^1.4.0', feature: "the 'tracing' option" };
export const MESSAGING_SYSTEM = 'gater_pubsub';
/** The instrumentation scope of the spans. */
export const TRACER_NAME = '@gater/pubsub';

/**
 * OpenTelemetry for the channels: publish puts the active span's W3C `traceparent` (and `tracestate`) in the
 * message headers, and every handler call runs in a CONSUMER span ('process <channel>') whose parent is, and
 * which links to, the span that published; across nodes too, since headers travel with the message.
 */
export class MessageTracing implements HandlerInstrument {
  private constructor(
    private readonly api: OtelApi,
    private readonly tracer: OtelTracer,
    private readonly node: string,
  ) {}

  /**
   * `mode` undefined: on when @opentelemetry/api is installed and a tracer provider is registered; true: on,
   * failing start-up without the package; false: off.
   */
  static async start(mode: boolean | undefined, node: string): Promise<MessageTracing | undefined> {
    if (mode === false) return undefined;
    const loaded = mode === true ? await loadPeer<unknown>(OPENTELEMETRY_PEER) : await tryLoadPeer<unknown>(OPENTELEMETRY_PEER.specifier);
    if (loaded === undefined) return undefined;
    const api = { ...((exportOf<object>(loaded, 'default') ?? {}) as object), ...(loaded as object) } as OtelApi;
    if (mode === undefined && !providerRegistered(api)) return undefined;
    return new MessageTracing(api, api.trace.getTracer(TRACER_NAME, LIBRARY_VERSION), node);
  }

  /** The headers of a message being published, with the active span's context unless they carry one already. */
  propagate(headers: MessageHeaders | undefined): MessageHeaders | undefined {
    if (headers?.traceparent !== undefined) return headers;
    const active = this.api.trace.getSpanContext(this.api.context.active());
    if (active === undefined || !this.api.isSpanContextValid(active)) return headers;
    const traced: MessageHeaders = { ...headers, traceparent: formatTraceParent(active) };
    const state = active.traceState?.serialize();
    if (state) traced.tracestate = state;
    return traced;
  }

  begin(message: PubSubMessage, target: HandlerTarget): CallScope {
    const { api } = this;
    const producer = parseTraceParent(message.headers?.traceparent);
    const producerContext = producer && { ...producer, isRemote: true, traceState: undefined };
    // Never the context that happened to be active when the scheduler ran: the publisher's, or none.
    const parent = producerContext ? api.trace.setSpanContext(api.ROOT_CONTEXT, producerContext) : api.ROOT_CONTEXT;
    const span = this.tracer.startSpan(
      `process ${message.channel}`,
      {
        kind: api.SpanKind.CONSUMER,
        attributes: {
          'messaging.system': MESSAGING_SYSTEM,
          'messaging.destination.name': message.channel,
          'messaging.destination.subscription.name': target.subscription,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.message.id': message.id,
          'messaging.client.id': this.node,
          'gater_pubsub.topic': message.topic,
          'gater_pubsub.message.type': message.type,
          'gater_pubsub.message.node': message.node,
        },
        links: producerContext ? [{ context: producerContext }] : [],
      },
      parent,
    );
    const spanContext = api.trace.setSpan(parent, span);
    return {
      run: (call) => api.context.with(spanContext, call),
      end: (error, failed) => {
        if (failed) {
          span.recordException(error instanceof Error ? error : describeError(error));
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: describeError(error) });
          span.setAttribute('error.type', error instanceof Error ? error.name : typeof error);
        }
        span.end();
      },
    };
  }
}

/** Whether someone registered a tracer provider (the API's global proxy has a delegate). */
function providerRegistered(api: OtelApi): boolean {
  const provider = api.trace.getTracerProvider();
  return typeof provider.getDelegateTracer !== 'function' || provider.getDelegateTracer(TRACER_NAME) !== undefined;
}
