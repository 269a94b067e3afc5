import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

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
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

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

/** Runs `fn` as a continuation of `cause` (a new trace and no cause when there is none). */
export function runInCause<T>(cause: WorkCause | null, fn: () => T): T {
  const trace = traceFrom(cause?.traceparent ?? undefined);
  if (cause?.causationId) trace.causationId = cause.causationId;
  if (cause?.correlationId) trace.correlationId = cause.correlationId;
  return storage.run(trace, fn);
}
