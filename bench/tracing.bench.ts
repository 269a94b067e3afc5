import { randomBytes } from 'node:crypto';
import { startTelemetry, stopTelemetry } from '../src/platform/observability/telemetry.ts';
import { OtlpReceiver } from '../test/harness/otlp-receiver.ts';
import { acceptsPayments, freePort, measureApi, openFundedAccounts, paymentRequest, platformEnv, startServer, type ApiMeasurement } from './api.bench.ts';
import { measureRelayThroughput, type RelayThroughput } from './relay-throughput.bench.ts';
import type { BenchDatabase } from './support/bench-database.ts';
import { round } from './support/percentiles.ts';
import { Progress, say } from './support/progress.ts';

export type Tracing = 'off' | 'on';

export interface TracedApi {
  /** Rounds alternate off, on, off, on: the figures are the means of each setting's rounds. */
  rounds: Array<{ tracing: Tracing } & ApiMeasurement>;
  off: { reqPerSec: number; p50Ms: number; p99Ms: number };
  on: { reqPerSec: number; p50Ms: number; p99Ms: number };
  /** Throughput with tracing on as a share of off. */
  onShareOfOff: number;
  deployment: string;
}

export interface TracedRelay {
  off: RelayThroughput;
  on: RelayThroughput;
  onShareOfOff: number;
}

export interface TracingOverhead {
  api: TracedApi;
  relay: TracedRelay;
  /** What the stand-in collector received while tracing was on. */
  exported: { traceRequests: number; megabytes: number };
}

const ROUNDS: Tracing[] = ['off', 'on', 'off', 'on'];

/**
 * The cost of tracing: `POST /payments` (one process, every role, local transport, so the spans of
 * the consumers and the relay are paid on the same cores) and the relay → local throughput, each
 * with OpenTelemetry off (no OTLP endpoint: the SDK does not start) and on (spans exported over
 * OTLP/HTTP protobuf, the SDK's defaults, to a sink on 127.0.0.1 that counts and discards them).
 */
export async function measureTracingOverhead(db: BenchDatabase, concurrency: number, durationSec: number, events: number): Promise<TracingOverhead> {
  const sink = await OtlpReceiver.start({ keepSpans: false });
  try {
    const api = await measureTracedApi(db, sink, concurrency, durationSec);
    const relay = await measureTracedRelay(db, sink, events);
    return { api, relay, exported: { traceRequests: sink.traceExports, megabytes: round(sink.bytes / 1e6, 1) } };
  } finally {
    await sink.stop();
  }
}

function tracingEnv(tracing: Tracing, sink: OtlpReceiver): Record<string, string> {
  return tracing === 'off' ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
}

async function measureTracedApi(db: BenchDatabase, sink: OtlpReceiver, concurrency: number, durationSec: number): Promise<TracedApi> {
  await db.reset();
  // Both settings pay the same way: no payment is turned away by the velocity rule in either.
  const env = { ...platformEnv(db.url, undefined, `trace${randomBytes(3).toString('hex')}`), FRAUD_MAX_PAYMENTS_PER_MINUTE: '1000000' };
  const setup = new Progress('tracing: set-up');
  const first = await startServer({ ...env, PORT: String(await freePort()) });
  let accounts;
  try {
    accounts = await openFundedAccounts(first.url, (text) => setup.update(text));
    await acceptsPayments(first.url, accounts);
  } finally {
    await first.stop();
  }
  setup.done(`${accounts.length} funded accounts`);
  const body = paymentRequest(accounts);
  const rounds: TracedApi['rounds'] = [];
  for (const tracing of ROUNDS) {
    const server = await startServer({ ...env, ...tracingEnv(tracing, sink), PORT: String(await freePort()) });
    try {
      say(`tracing ${tracing}:`);
      rounds.push({ tracing, ...(await measureApi(`${server.url}/payments`, 'POST', body, concurrency, durationSec)) });
    } finally {
      await server.stop();
    }
  }
  const mean = (tracing: Tracing) => {
    const of = rounds.filter((r) => r.tracing === tracing);
    const average = (pick: (r: ApiMeasurement) => number) => round(of.reduce((sum, r) => sum + pick(r), 0) / of.length, 1);
    return { reqPerSec: average((r) => r.reqPerSec), p50Ms: average((r) => r.p50Ms), p99Ms: average((r) => r.p99Ms) };
  };
  const off = mean('off');
  const on = mean('on');
  return { rounds, off, on, onShareOfOff: round(on.reqPerSec / off.reqPerSec, 3), deployment: 'one process, all roles, local transport' };
}

/** In this process: the relay's send spans are the platform's own, so starting the SDK here is all tracing on takes. */
async function measureTracedRelay(db: BenchDatabase, sink: OtlpReceiver, events: number): Promise<TracedRelay> {
  say('tracing off:');
  const off = await measureRelayThroughput(db, 'local', events, undefined);
  const variables = tracingEnv('on', sink);
  Object.assign(process.env, variables);
  startTelemetry();
  try {
    say('tracing on:');
    const on = await measureRelayThroughput(db, 'local', events, undefined);
    return { off, on, onShareOfOff: round(on.eventsPerSec / off.eventsPerSec, 3) };
  } finally {
    await stopTelemetry();
    for (const name of Object.keys(variables)) delete process.env[name];
  }
}
