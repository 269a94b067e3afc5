import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../../config.ts';
import { currentTrace } from './trace-context.ts';

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'payments-platform' }, mixin: traceFields });
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
