import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { MODULE_NAMES } from '../src/config.ts';
import { eventually } from '../test/harness/eventually.ts';
import type { TestKafkaBroker } from '../test/harness/kafka-broker.ts';
import { customerAuthorization } from '../test/harness/tokens.ts';
import { benchConfig, positiveEnv, tunableEnv } from './support/bench-config.ts';
import type { BenchDatabase } from './support/bench-database.ts';
import { generateEvent } from './support/bench-events.ts';
import { runClosedLoop } from './support/closed-loop.ts';
import { measureHandWrittenPayments, type HandWrittenBaseline } from './hand-written-payment.bench.ts';
import { round } from './support/percentiles.ts';
import { formatCount, Progress, say } from './support/progress.ts';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PAYMENT_MODULE_FILE = 'modules/payment/payment.module.ts';

export interface ApiMeasurement {
  /** 2xx responses per second. */
  reqPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  concurrency: number;
  durationSec: number;
  responses2xx: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

/**
 * HTTP throughput and latency of one route under a closed load of `concurrency` connections
 * (autocannon over loopback), each request with a fresh body and bearer token from `requestFactory`.
 */
export async function measureApi(
  url: string,
  method: 'POST' | 'PUT' | 'GET',
  requestFactory: () => { body: unknown; authorization: string },
  concurrency: number,
  durationSec: number,
): Promise<ApiMeasurement> {
  const progress = new Progress(`${method} ${new URL(url).pathname} at concurrency ${concurrency}`);
  const instance = autocannon({
    url,
    method,
    connections: concurrency,
    duration: durationSec,
    timeout: 10,
    excludeErrorStats: true,
    headers: { 'content-type': 'application/json' },
    requests: [{
      method,
      setupRequest: (request) => {
        const next = requestFactory();
        return { ...request, body: JSON.stringify(next.body), headers: { ...request.headers, authorization: next.authorization } };
      },
    }],
  });
  let seen = 0;
  instance.on('tick', ({ counter }: { counter: number }) => {
    seen += counter;
    progress.update(`${formatCount(seen)} responses`);
  });
  const result = await instance;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)]));
  const measurement: ApiMeasurement = {
    reqPerSec: round(result['2xx'] / result.duration, 0),
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    concurrency,
    durationSec: round(result.duration, 2),
    responses2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
  };
  progress.done(`${formatCount(measurement.reqPerSec)} req/s, p50 ${measurement.p50Ms} ms, p99 ${measurement.p99Ms} ms (${measurement.non2xx} non-2xx, ${measurement.errors} errors)`);
  return measurement;
}

export interface PgTransactionBaseline {
  txPerSec: number;
  p50Ms: number;
  p99Ms: number;
  concurrency: number;
  poolSize: number;
  durationSec: number;
  transactions: number;
}

/**
 * The API's baseline: what PostgreSQL alone does per second with the two inserts a payment costs
 * (a payment row and an outbox row shaped like messaging.outbox, without its NOTIFY trigger), in
 * one transaction each, from `concurrency` callers sharing a pool of the API's size.
 */
export async function measureBarePgTransactions(db: BenchDatabase, concurrency: number, durationSec: number): Promise<PgTransactionBaseline> {
  const poolSize = benchConfig().database.poolSize;
  await db.admin.query(`
    drop schema if exists bench_baseline cascade;
    create schema bench_baseline;
    create table bench_baseline.payment (
      id bigint generated always as identity primary key,
      account_id bigint not null,
      amount bigint not null,
      currency text not null,
      transaction_type text not null,
      status text not null,
      created_at timestamptz not null default now());
    create index on bench_baseline.payment (account_id);
    create table bench_baseline.outbox (like messaging.outbox including all);`);
  const pool = new pg.Pool({ connectionString: db.url, max: poolSize });
  try {
    const run = await runClosedLoop(`bare PostgreSQL two-insert transactions at concurrency ${concurrency}, pool ${poolSize}`, 'tx', concurrency, durationSec, async (n) => {
      const event = generateEvent(n);
      const client = await pool.connect();
      try {
        await client.query('begin');
        const { rows } = await client.query<{ id: number }>({
          name: 'baseline-payment',
          text: 'insert into bench_baseline.payment (account_id, amount, currency, transaction_type, status) values ($1, $2, $3, $4, $5) returning id',
          values: [event.data.accountId, Math.round(event.data.amount * 100), event.data.currency, event.data.transactionType, 'CREATED'],
        });
        await client.query({
          name: 'baseline-outbox',
          text: `insert into bench_baseline.outbox (event_id, topic, message_key, event_type, event_version, source, headers, payload, created_at)
                 values ($1, 'payment.requested', $2, 'payment.requested', 1, 'payment', $3, $4, now())`,
          values: [event.eventId, event.key, JSON.stringify(event.headers), JSON.stringify({ ...event.data, paymentId: rows[0]!.id })],
        });
        await client.query('commit');
      } finally {
        client.release();
      }
    });
    return { txPerSec: run.perSec, p50Ms: run.p50Ms, p99Ms: run.p99Ms, concurrency, poolSize, durationSec: run.durationSec, transactions: run.count };
  } finally {
    await pool.end();
  }
}

export interface PostPaymentsOutcome {
  postPayments: (ApiMeasurement & { deployment: string; accounts: number; rejectedByFraud: number }) | null;
  /** The same payments written by hand with `pg`, on the same tables and accounts, once the API stopped. */
  handWritten: HandWrittenBaseline | null;
  note?: string;
}

/**
 * Payers, paid in turn. The fraud rules run at their defaults (10 payments a minute per account),
 * as in production: 1,024 accounts keep a 10 s run under the velocity rule up to ~900 req/s (the
 * set-up pays once from each). Past that, payments come back 201 REJECTED, which the result counts
 * as rejectedByFraud: raise BENCH_API_ACCOUNTS (the set-up opens ~16 accounts a second on 2 cores).
 */
const ACCOUNTS = positiveEnv('BENCH_API_ACCOUNTS', 1024);
/** Accounts opened side by side during the set-up. */
const SETUP_CONCURRENCY = 16;
const SETUP_TIMEOUT_MS = 60_000;

/**
 * `POST /payments` against the platform started as `npm start` starts it, in its own process.
 * Set-up (all roles): profiles register, their accounts open and are funded, and a first payment
 * per account is accepted. Measurement: a process with ROLE=api only, so that consumers and the
 * relay do not share the two cores with the API — the figure is the API's, comparable with the
 * bare two-insert baseline. If the API alone cannot accept payments (the payment module needs its
 * workers running), the measurement runs against the all-roles process and says so.
 */
export async function measurePostPayments(
  db: BenchDatabase,
  broker: TestKafkaBroker | undefined,
  concurrency: number,
  durationSec: number,
): Promise<PostPaymentsOutcome> {
  if (!existsSync(join(REPO_ROOT, PAYMENT_MODULE_FILE))) {
    const note = `not measured: ${PAYMENT_MODULE_FILE} is not in this tree (the payment module is not merged yet)`;
    say(`POST /payments ${note}`);
    return { postPayments: null, handWritten: null, note };
  }
  if (!(MODULE_NAMES as readonly string[]).includes('payment')) {
    const note = `not measured: ${PAYMENT_MODULE_FILE} exists but 'payment' is not in MODULE_NAMES (src/config.ts)`;
    say(`POST /payments ${note}`);
    return { postPayments: null, handWritten: null, note };
  }
  await db.reset();
  const namespace = `bench${randomBytes(3).toString('hex')}`;
  const env = platformEnv(db.url, broker, namespace);
  const setup = new Progress('POST /payments: set-up (all roles)');
  const everything = await startServer({ ...env, PORT: String(await freePort()) });
  let accounts: BenchAccount[];
  try {
    accounts = await openFundedAccounts(everything.url, (text) => setup.update(text));
    await acceptsPayments(everything.url, accounts);
    setup.done(`${accounts.length} funded accounts accept payments`);
  } catch (error) {
    await everything.stop();
    throw error;
  }
  const body = paymentRequest(accounts);
  /** Measures the API on `server`, stops it, then the hand-written baseline on the same tables and accounts. */
  const measureOn = async (server: Server, deployment: string, note?: string): Promise<PostPaymentsOutcome> => {
    let postPayments: PostPaymentsOutcome['postPayments'];
    try {
      const rejectedBefore = await fraudRejections(db);
      const measurement = await measureApi(`${server.url}/payments`, 'POST', body, concurrency, durationSec);
      const rejectedByFraud = (await fraudRejections(db)) - rejectedBefore;
      if (rejectedByFraud > 0) say(`POST /payments: ${rejectedByFraud} of the 2xx were payments the fraud rules REJECTED (the bench meant to measure accepted ones)`);
      postPayments = { ...measurement, deployment, accounts: accounts.length, rejectedByFraud };
    } finally {
      await server.stop();
    }
    const handWritten = await measureHandWrittenPayments(db.url, accounts, concurrency, durationSec);
    return { postPayments, handWritten, ...(note === undefined ? {} : { note }) };
  };
  if (broker === undefined) return measureOn(everything, 'one process, all roles, local transport');
  await everything.stop();
  const apiOnly = await startServer({ ...env, ROLE: 'api', PORT: String(await freePort()) });
  try {
    await acceptsPayments(apiOnly.url, accounts.slice(0, 1));
  } catch (error) {
    await apiOnly.stop();
    const note = `the API alone could not accept a payment (${(error as Error).message}); measured with every role in one process`;
    say(`POST /payments: ${note}`);
    return measureOn(await startServer({ ...env, PORT: String(await freePort()) }), 'one process, all roles, Kafka transport', note);
  }
  return measureOn(apiOnly, 'ROLE=api process (relay and workers not running), Kafka transport');
}

export function platformEnv(databaseUrl: string, broker: TestKafkaBroker | undefined, namespace: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // The bench pays thousands of times a second from a few hundred accounts.
    RATE_LIMIT_MONEY_PER_MINUTE: '1000000',
    PROCESSING_DELAY_MIN_MS: '0',
    PROCESSING_DELAY_MAX_MS: '0',
    ...(broker === undefined
      ? {}
      : {
          KAFKA_BROKERS: broker.brokers.join(','),
          TOPIC_PREFIX: `${namespace}.`,
          KAFKA_GROUP_PREFIX: namespace,
          KAFKA_SESSION_TIMEOUT_MS: '6000',
          KAFKA_HEARTBEAT_INTERVAL_MS: '500',
          KAFKA_FETCH_MAX_WAIT_MS: '100',
        }),
    ...tunableEnv(),
  };
}

/** Each account in turn; each round a new amount, so REPEATED_AMOUNT does not fire either. */
/** A funded account and its owner's bearer token (each request is verified, as in production). */
export interface BenchAccount {
  accountId: number;
  login: string;
  authorization: string;
}

export function paymentRequest(accounts: BenchAccount[]): () => { body: unknown; authorization: string } {
  let n = 0;
  return () => {
    n++;
    const round = Math.floor(n / accounts.length);
    const { accountId, authorization } = accounts[n % accounts.length]!;
    // Whole cents divided once: `1 + k / 100` gives 1.1400000000000001 for k = 14, which the API rightly refuses (400).
    return { body: { accountId, amount: (101 + (round % 500)) / 100, currency: 'EUR', description: `bench payment ${n}` }, authorization };
  };
}

/** Payments the fraud rules refused so far (they are answered 201 too). */
async function fraudRejections(db: BenchDatabase): Promise<number> {
  const { rows } = await db.admin.query<{ count: string }>(`select count(*) from payment.payment where reason = 'FRAUD_SUSPECTED'`);
  return Number(rows[0]?.count ?? 0);
}

/** Runs `task` over `items`, `concurrency` at a time, in order of start. */
async function eachLimited<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export async function openFundedAccounts(url: string, onProgress: (text: string) => void, count = ACCOUNTS): Promise<BenchAccount[]> {
  const logins = Array.from({ length: count }, (_, i) => `bench-${i}-${randomBytes(3).toString('hex')}`);
  let opened = 0;
  return eachLimited(logins, SETUP_CONCURRENCY, async (login) => {
    const authorization = await customerAuthorization(login);
    const call = (method: string, path: string, body?: unknown) => callAs(authorization, url, method, path, body);
    await expectStatus(await call('POST', '/profiles', { login, fullName: `Bench ${login}`, email: `${login}@bench.example`, currency: 'EUR' }), 201, 'POST /profiles');
    const account = await eventually(async () => {
      const response = await call('GET', `/account?login=${login}`);
      if (response.status !== 200) return undefined;
      const view = (await response.json()) as { accountId: number; status: string };
      return view.status === 'ACTIVE' ? view : undefined;
    }, { timeoutMs: SETUP_TIMEOUT_MS, what: `the account of ${login}` });
    await expectStatus(await call('PUT', '/account/operation', { login, operation: 'DEPOSIT', sum: 1_000_000 }), 200, 'PUT /account/operation');
    onProgress(`${++opened}/${logins.length} accounts open and funded`);
    return { accountId: account.accountId, login, authorization };
  });
}

/** The payment module may learn about accounts from events: wait until each one is accepted. */
export async function acceptsPayments(url: string, accounts: BenchAccount[]): Promise<void> {
  await eachLimited(accounts, SETUP_CONCURRENCY, async ({ accountId, authorization }) => {
    await eventually(async () => {
      const response = await callAs(authorization, url, 'POST', '/payments', { accountId, amount: 1, currency: 'EUR' });
      if (response.status === 201) return true;
      throw new Error(`POST /payments answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    }, { timeoutMs: SETUP_TIMEOUT_MS, what: `a payment of account ${accountId} to be accepted` });
  });
}

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * `node --import tsx src/main.ts` — the production entry point — with `env`, ready when
 * /health/ready says so; a process without the API (a relay, a worker) serves no HTTP, so it is
 * ready when it logs that it started (its log level is raised to info for that).
 */
export async function startServer(env: Record<string, string>, cpuProfileDir?: string): Promise<Server> {
  const servesHttp = env['ROLE'] === undefined || env['ROLE'].split(',').includes('api');
  // BENCH_CPU_PROF_DIR=dir: each platform process writes a V8 CPU profile there when it stops.
  const profileDir = cpuProfileDir ?? process.env['BENCH_CPU_PROF_DIR']?.trim();
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env, ...(servesHttp ? {} : { LOG_LEVEL: 'info' }) },
    stdio: ['ignore', servesHttp ? 'ignore' : 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let started = false;
  let stdoutTail = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutTail = (stdoutTail + chunk.toString()).slice(-1000);
    started ||= stdoutTail.includes('"msg":"platform started"');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${env['PORT']}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const died = exited.then((code) => Promise.reject(new Error(`the platform exited with ${code}: ${stderr}`)));
    died.catch(() => undefined); // also rejects after a normal stop; only the race below cares
    await Promise.race([
      died,
      eventually(async () => (servesHttp ? (await callAs(undefined, url, 'GET', '/health/ready')).status === 200 : started), { timeoutMs: SETUP_TIMEOUT_MS, what: 'the platform to be ready' }),
    ]);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message} (ROLE=${env['ROLE'] ?? 'all'}; its stderr: ${stderr.trim() || 'empty'})`, { cause: error });
  }
  return { url, pid: child.pid!, stop };
}

async function callAs(authorization: string | undefined, url: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { ...(authorization === undefined ? {} : { authorization }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch((error: unknown) => new Response(String(error), { status: 599 }));
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status !== status) throw new Error(`${what} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
