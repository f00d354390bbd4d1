/**
 * The part of @opentelemetry/api (1.x) the tracing uses, kept structural: the package is an optional peer,
 * and the library's type declarations must not require it.
 */
export type OtelContext = object;

export interface OtelSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: { serialize(): string };
  isRemote?: boolean;
}

export interface OtelSpan {
  spanContext(): OtelSpanContext;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: unknown): void;
  setAttribute(key: string, value: string | number | boolean): unknown;
  end(): void;
}

export interface OtelTracer {
  startSpan(
    name: string,
    options: { kind: number; attributes: Record<string, string | number | boolean>; links: { context: OtelSpanContext }[] },
    context: OtelContext,
  ): OtelSpan;
}

export interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    getTracerProvider(): { getDelegateTracer?(name: string): unknown };
    getSpanContext(context: OtelContext): OtelSpanContext | undefined;
    setSpanContext(context: OtelContext, spanContext: OtelSpanContext): OtelContext;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
  };
  context: {
    active(): OtelContext;
    with<T>(context: OtelContext, fn: () => T): T;
  };
  isSpanContextValid(spanContext: OtelSpanContext): boolean;
  ROOT_CONTEXT: OtelContext;
  SpanKind: { CONSUMER: number };
  SpanStatusCode: { ERROR: number };
}
