import { trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../../config.ts';
import { HEADERS, type WireHeaders } from '../messaging/envelope.ts';
import { currentTrace, spanContextOf } from './trace-context.ts';

export type { Logger };

/** JSON lines on stdout (or `destination`), each with the trace it was written in. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'payments-platform' }, mixin: traceFields };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * `trace_id` and `span_id` of the work a line is logged in (OpenTelemetry's names for log
 * correlation): the active span's when spans are recorded, else the platform's own trace ids,
 * the ones its events carry in `traceparent`.
 */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext() ?? currentTrace();
  return span === undefined ? {} : { trace_id: span.traceId, span_id: span.spanId };
}

/** The same fields for a line about a message logged outside its handling (a failed attempt, a dead letter): its create span's. */
export function traceFieldsOf(message: { headers: WireHeaders }): Record<string, string> {
  const created = spanContextOf(message.headers[HEADERS.traceparent]);
  return created === undefined ? {} : { trace_id: created.traceId, span_id: created.spanId };
}
