import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/** W3C trace context carried from HTTP requests and consumed messages into the events they cause. */
export interface TraceContext {
  traceId: string;
  spanId: string;
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
