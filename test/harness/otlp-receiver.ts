import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attributes } from '@opentelemetry/api';
import type { SpanRecord } from './tracing.ts';

/** OTLP/JSON's AnyValue, as much of it as the platform's attributes use. */
interface AnyValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
interface KeyValue { key: string; value: AnyValue }
interface OtlpSpan {
  traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
  startTimeUnixNano: string; endTimeUnixNano: string; attributes?: KeyValue[];
  links?: Array<{ traceId: string; spanId: string; attributes?: KeyValue[] }>; status?: { code?: number };
}
interface TracesRequest { resourceSpans: Array<{ resource?: { attributes?: KeyValue[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> }

function attributesOf(values: KeyValue[] = []): Attributes {
  return Object.fromEntries(values.map(({ key, value }) => [key, value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)) ?? value.boolValue ?? value.doubleValue]));
}

/**
 * A stand-in for an OpenTelemetry collector (outside the system): it takes OTLP/HTTP JSON
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) on /v1/traces, /v1/metrics and /v1/logs, keeps the
 * spans it is sent and counts the metric exports.
 */
export class OtlpReceiver {
  readonly spans: SpanRecord[] = [];
  metricExports = 0;
  traceExports = 0;
  bytes = 0;
  private constructor(private readonly server: Server, private readonly keepSpans: boolean) {}

  /** `keepSpans: false` (a benchmark's sink): count requests and bytes, in any OTLP encoding, and keep nothing. */
  static async start({ keepSpans = true }: { keepSpans?: boolean } = {}): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        receiver!.take(request.url ?? '', Buffer.concat(chunks));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    receiver = new OtlpReceiver(server, keepSpans);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  private take(path: string, body: Buffer): void {
    this.bytes += body.length;
    if (path === '/v1/metrics') this.metricExports++;
    if (path !== '/v1/traces') return;
    this.traceExports++;
    if (!this.keepSpans) return;
    for (const { resource, scopeSpans } of (JSON.parse(body.toString()) as TracesRequest).resourceSpans) {
      const service = String(attributesOf(resource?.attributes)['service.name'] ?? '');
      for (const span of scopeSpans.flatMap((scope) => scope.spans)) {
        this.spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId === '' ? undefined : span.parentSpanId,
          name: span.name,
          // OTLP numbers kinds from 1 (internal); the API from 0.
          kind: span.kind - 1,
          attributes: attributesOf(span.attributes),
          links: (span.links ?? []).map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: attributesOf(link.attributes) })),
          status: span.status?.code ?? 0,
          startMs: Number(BigInt(span.startTimeUnixNano) / 1000n) / 1000,
          endMs: Number(BigInt(span.endTimeUnixNano) / 1000n) / 1000,
          service,
        });
      }
    }
  }
}
