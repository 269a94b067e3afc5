import { SpanKind, type Attributes } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from '../../src/platform/observability/telemetry.ts';

/**
 * OpenTelemetry started as the entry point starts it, with an in-memory exporter in place of an
 * OTLP backend (the backend is outside the system). A test file imports this first, before
 * anything loads http, fastify or pg, as src/main.ts imports src/instrument.ts.
 */
export const exported = new InMemorySpanExporter();
startTelemetry({}, { spanProcessors: [new SimpleSpanProcessor(exported)] });

/** What the tests read of a span, from the in-memory exporter or from an OTLP/JSON request. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKind;
  attributes: Attributes;
  links: Array<{ traceId: string; spanId: string; attributes: Attributes }>;
  /** OpenTelemetry's status code: 0 unset, 1 ok, 2 error. */
  status: number;
  startMs: number;
  endMs: number;
  /** `service.name` of the process that recorded it. */
  service: string;
}

export function recordOf(span: ReadableSpan): SpanRecord {
  const [startS, startNs] = span.startTime;
  const [endS, endNs] = span.endTime;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    attributes: span.attributes,
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, attributes: link.attributes ?? {} })),
    status: span.status.code,
    startMs: startS * 1000 + startNs / 1e6,
    endMs: endS * 1000 + endNs / 1e6,
    service: String(span.resource.attributes['service.name'] ?? ''),
  };
}

/** Every span this process finished so far in `traceId`. */
export function spansOfTrace(traceId: string): SpanRecord[] {
  return exported.getFinishedSpans().map(recordOf).filter((span) => span.traceId === traceId);
}

export function allSpans(): SpanRecord[] {
  return exported.getFinishedSpans().map(recordOf);
}
