import { FastifyOtelInstrumentation } from '@fastify/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from '../../config.ts';
import { recordSpans } from './trace-context.ts';

type Env = Record<string, string | undefined>;

/** Paths scraped every few seconds: a span each would bury the traffic worth reading. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|$|\?)/;

const ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] as const;

let sdk: NodeSDK | undefined;

export interface TelemetryOptions {
  /** Where spans go instead of OTLP (tests hand an in-memory exporter's processor here). */
  spanProcessors?: SpanProcessor[];
}

/**
 * Whether this process exports spans: an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`
 * or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and `OTEL_SDK_DISABLED` is not `true`. Throws a
 * {@link ConfigError} naming the variable when an endpoint is not an http(s) URL.
 */
export function otlpConfigured(env: Env): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  let configured = false;
  for (const name of ENDPOINT_VARIABLES) {
    const value = env[name]?.trim();
    if (value === undefined || value === '') continue;
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new ConfigError(`${name} must be an http:// or https:// URL of an OTLP receiver (e.g. http://collector:4318), got "${value}"`);
    }
    configured = true;
  }
  return configured;
}

/**
 * Starts OpenTelemetry once per process, before the instrumented libraries are first loaded (the
 * entry point imports this first): the HTTP server, fastify's routes and hooks, and `pg` get
 * spans, the messaging spans come from the platform itself (messaging-spans.ts). Everything else
 * follows the standard `OTEL_*` variables (service name, sampler, protocol, headers, metrics
 * export). Without an endpoint and without `spanProcessors` nothing starts: the API's no-op
 * tracer stays in place and the platform keeps propagating `traceparent` on its own.
 */
export function startTelemetry(env: Env = process.env, options: TelemetryOptions = {}): boolean {
  if (sdk !== undefined) return true;
  if (options.spanProcessors === undefined && !otlpConfigured(env)) return false;
  sdk = new NodeSDK({
    ...(env['OTEL_SERVICE_NAME'] ? {} : { serviceName: 'payments-platform' }),
    ...(options.spanProcessors === undefined ? {} : { spanProcessors: options.spanProcessors, metricReaders: [] }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route) => UNTRACED_PATHS.test(route.url) }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  recordSpans(true);
  return true;
}

/** Flushes what is buffered and stops exporting (on shutdown). */
export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  recordSpans(false);
  await running?.shutdown();
}
