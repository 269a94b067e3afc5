import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';

/** W3C trace context carried from HTTP requests and consumed messages into the events they cause. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** The event being handled: events written now were caused by it. */
  causationId?: string;
  /**
   * The first event of the chain this work belongs to. Set by the first event written in a request,
   * so every event a request causes, directly or through handlers, shares it.
   */
  correlationId?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

let spans = false;

/**
 * Set by telemetry.ts when it started OpenTelemetry: from then on the platform records spans and
 * takes trace and span ids from them. Until then it only propagates `traceparent`, with ids of its
 * own, and calls nothing of OpenTelemetry (tracing off costs nothing).
 */
export function recordSpans(on: boolean): void {
  spans = on;
}

export function recordingSpans(): boolean {
  return spans;
}

export function tracer(): Tracer {
  return trace.getTracer('payments-platform');
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** Continues the trace of an incoming `traceparent`, or starts a new one when it is absent or malformed. */
export function traceFrom(traceparent: string | undefined): TraceContext {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (match?.[1] !== undefined) return { traceId: match[1], spanId: newSpanId() };
  return { traceId: randomBytes(16).toString('hex'), spanId: newSpanId() };
}

export function toTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-01`;
}

/** The span context a `traceparent` names, or undefined when it is absent or malformed. */
export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (match === null || match[1] === INVALID_TRACE_ID || match[2] === INVALID_SPAN_ID) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true };
}

export function traceparentOf(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`;
}

/** Ends `span` as failed by `error`: error status, the exception, and `error.type`. */
export function endWithError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
  span.end();
}

/** The OpenTelemetry context whose parent is `traceparent`'s span (the root context without one). */
export function contextOf(traceparent: string | undefined): Context {
  const parent = spanContextOf(traceparent);
  return parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
}

/** The trace of an HTTP request: the server span's when spans are recorded, else the caller's `traceparent` continued. */
export function requestTrace(traceparent: string | undefined): TraceContext {
  const span = spans ? trace.getActiveSpan()?.spanContext() : undefined;
  return span === undefined ? traceFrom(traceparent) : { traceId: span.traceId, spanId: span.spanId };
}

/**
 * Runs `fn` inside `span` (the active OpenTelemetry span and the platform's trace, with `cause`),
 * then ends the span: with an error status and the exception when `fn` throws or rejects.
 */
export function runInSpan<T>(span: Span, cause: Pick<TraceContext, 'causationId' | 'correlationId'>, fn: () => T): T {
  const { traceId, spanId } = span.spanContext();
  const fail = (error: unknown): never => {
    endWithError(span, error);
    throw error;
  };
  let result: T;
  try {
    result = context.with(trace.setSpan(context.active(), span), () => storage.run({ traceId, spanId, ...cause }, fn));
  } catch (error) {
    return fail(error);
  }
  if (result instanceof Promise) {
    return result.then((value: unknown) => {
      span.end();
      return value;
    }, fail) as T;
  }
  span.end();
  return result;
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

export function runInTrace<T>(trace: TraceContext, fn: () => T): T {
  return storage.run(trace, fn);
}

export function enterTrace(trace: TraceContext): void {
  storage.enterWith(trace);
}

/**
 * What the current work continues: its trace and the event that set it off. Work deferred past
 * this transaction (a row a scheduler picks up later) stores it and resumes it with
 * {@link runInCause}, so the events it writes then still name their cause.
 */
export interface WorkCause {
  traceparent: string | null;
  causationId: string | null;
  correlationId: string | null;
}

export function currentCause(): WorkCause | null {
  const trace = storage.getStore();
  if (trace === undefined) return null;
  return { traceparent: toTraceparent(trace), causationId: trace.causationId ?? null, correlationId: trace.correlationId ?? null };
}

/**
 * Runs `fn` as a continuation of `cause` (a new trace and no cause when there is none). With spans
 * recorded, `fn` runs in an internal span named `name`, a child of the span that deferred the work.
 */
export function runInCause<T>(cause: WorkCause | null, name: string, fn: () => T): T {
  const causes: Pick<TraceContext, 'causationId' | 'correlationId'> = {};
  if (cause?.causationId) causes.causationId = cause.causationId;
  if (cause?.correlationId) causes.correlationId = cause.correlationId;
  if (!spans) return storage.run({ ...traceFrom(cause?.traceparent ?? undefined), ...causes }, fn);
  const parent = contextOf(cause?.traceparent ?? undefined);
  return context.with(parent, () => runInSpan(tracer().startSpan(name, { kind: SpanKind.INTERNAL }, parent), causes, fn));
}
