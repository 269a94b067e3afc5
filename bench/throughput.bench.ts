import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MODULE_NAMES } from '../src/config.ts';
import type { TestKafkaBroker } from '../test/harness/kafka-broker.ts';
import { freePort, openFundedAccounts, platformEnv, startServer, type BenchAccount, type Server } from './api.bench.ts';
import type { BenchDatabase } from './support/bench-database.ts';
import { cpuByPart, monotonicNowUs, PLATFORM_PARTS, type CpuByPart, type MonotonicWindow } from './support/cpu-profile.ts';
import { round, summariseLatencies } from './support/percentiles.ts';
import { commandCpuMs, cpuUsedBetween, processCpuMs } from './support/process-cpu.ts';
import { formatCount, Progress, say } from './support/progress.ts';

export interface ThroughputOptions {
  /** Measured seconds, after the warm-up. */
  seconds: number;
  warmUpSeconds: number;
  /** Funded accounts paid from in turn. */
  accounts: number;
  /** HTTP connections sending payments. */
  connections: number;
  /** Payments requested but not yet COMPLETED (or FAILED) that the load holds at most. */
  inFlight: number;
  /** Seconds the per-module attribution run lasts. */
  attributionSeconds: number;
}

/** One deployment carrying payments from request to COMPLETED. */
export interface ThroughputRun {
  deployment: string;
  processes: string[];
  measuredSec: number;
  /** Payments that reached COMPLETED or FAILED within the measured window, a second. */
  completedPerSec: number;
  completed: number;
  requestedPerSec: number;
  refusedRequests: number;
  /** From the moment the request was sent to the payment's completedAt, of payments sent in the window. */
  latency: { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; unfinished: number };
  /** Rows of the messaging tables that hold messages back, after the drain: where unfinished payments may wait. */
  heldBack: HeldBack;
  /** CPU milliseconds per completed payment, over the measured window. */
  cpuMsPerPayment: {
    total: number;
    byProcess: Record<string, number>;
    database: number;
    broker: number;
    loadGenerator: number;
    /**
     * The platform processes' CPU split by the part of the code their main threads' profile samples
     * were in (the other threads, GC helpers and libuv's pool, shared out in the same proportions).
     */
    byPart: CpuByPart;
  };
  /** The bench database's transactions (the load's, the platform's and the bench's own few polls) and rows written, per completed payment. */
  databaseWorkPerPayment: DatabaseWork;
}

export interface ThroughputResults {
  local: ThroughputRun | Failed;
  kafkaOneWorker: ThroughputRun | Failed | null;
  kafkaTwoWorkers: ThroughputRun | Failed | null;
  /** Each module's worker in its own process: CPU per payment by module. */
  kafkaByModule: ThroughputRun | Failed | null;
  accounts: number;
  connections: number;
  inFlight: number;
}

interface Failed {
  error: string;
}

interface Process {
  role: string;
  env: Record<string, string>;
}

/** What the load needs that production does not do: no fraud velocity limit on a few hundred accounts paying hundreds of times a minute. */
const THROUGHPUT_ENV = { FRAUD_MAX_PAYMENTS_PER_MINUTE: '1000000', PROCESSING_DELAY_MIN_MS: '0', PROCESSING_DELAY_MAX_MS: '0' };

/**
 * Payments carried from `POST /payments` to COMPLETED, sustained: one process with every role on
 * the local transport; then on Kafka split as production would (ROLE=api, ROLE=relay, ROLE=worker
 * once and twice); then with each module's worker in a process of its own, so CPU falls to modules
 * by process. Every platform process writes a CPU profile; its samples in the measured window are
 * charged to the platform's parts.
 */
export async function measureThroughput(db: BenchDatabase, broker: TestKafkaBroker | undefined, options: ThroughputOptions): Promise<ThroughputResults> {
  await db.reset();
  const base = { ...platformEnv(db.url, undefined, ''), ...THROUGHPUT_ENV };
  const setup = new Progress('throughput: set-up (one process, every role, local transport)');
  const localServer = await startServer({ ...base, PORT: String(await freePort()) });
  let accounts: BenchAccount[];
  try {
    accounts = await openFundedAccounts(localServer.url, (text) => setup.update(text), options.accounts);
  } catch (error) {
    await localServer.stop();
    throw error;
  }
  await localServer.stop();
  setup.done(`${accounts.length} funded accounts`);
  const attempt = async (what: string, run: () => Promise<ThroughputRun>): Promise<ThroughputRun | Failed> => {
    try {
      return await run();
    } catch (error) {
      say(`throughput: ${what} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const results: ThroughputResults = {
    local: await attempt('local', () => runDeployment(db, 'one process, every role, local transport', [{ role: 'all', env: base }], accounts, options, options.seconds)),
    kafkaOneWorker: null,
    kafkaTwoWorkers: null,
    kafkaByModule: null,
    accounts: accounts.length,
    connections: options.connections,
    inFlight: options.inFlight,
  };
  if (broker === undefined) return results;
  const split = (workers: Process[]): Process[] => {
    const kafka = { ...platformEnv(db.url, broker, `tp${randomBytes(3).toString('hex')}`), ...THROUGHPUT_ENV };
    return [{ role: 'api', env: { ...kafka, ROLE: 'api' } }, { role: 'relay', env: { ...kafka, ROLE: 'relay' } }, ...workers.map((worker) => ({ role: worker.role, env: { ...kafka, ...worker.env } }))];
  };
  const worker = (n: number): Process => ({ role: `worker ${n}`, env: { ROLE: 'worker' } });
  results.kafkaOneWorker = await attempt('Kafka, one worker', () => runDeployment(db, 'Kafka: api, relay, 1 worker', split([worker(1)]), accounts, options, options.seconds));
  results.kafkaTwoWorkers = await attempt('Kafka, two workers', () => runDeployment(db, 'Kafka: api, relay, 2 workers', split([worker(1), worker(2)]), accounts, options, options.seconds));
  const byModule = MODULE_NAMES.map((module) => ({ role: `worker ${module}`, env: { ROLE: 'worker', MODULES: module } }));
  results.kafkaByModule = await attempt('Kafka, a worker per module', () => runDeployment(db, 'Kafka: api, relay, a worker per module', split(byModule), accounts, options, options.attributionSeconds));
  return results;
}

async function runDeployment(db: BenchDatabase, deployment: string, processes: Process[], accounts: BenchAccount[], options: ThroughputOptions, seconds: number): Promise<ThroughputRun> {
  const profileDir = await mkdtemp(join(tmpdir(), 'bench-throughput-'));
  const servers: Array<{ role: string; server: Server }> = [];
  try {
    for (const { role, env } of processes) servers.push({ role, server: await startServer({ ...env, PORT: String(await freePort()) }, profileDir) });
    const api = servers.find(({ role }) => role === 'api' || role === 'all')!.server;
    const load = new PaymentLoad(db, api.url, accounts, options);
    const progress = new Progress(`throughput: ${deployment}`);
    const ticker = setInterval(() => progress.update(`${formatCount(load.requested)} requested, ${formatCount(load.backlog)} in flight`), 1000);
    const driving = load.run((options.warmUpSeconds + seconds) * 1000);
    await sleep(options.warmUpSeconds * 1000);
    const before = await cpuSnapshot(db, servers);
    const window = { fromMs: Date.now(), fromUs: monotonicNowUs() };
    await sleep(seconds * 1000);
    const after = await cpuSnapshot(db, servers);
    const windowEnd = { toMs: Date.now(), toUs: monotonicNowUs() };
    await driving;
    clearInterval(ticker);
    await load.drain(30_000);
    const outcome = await load.outcome(window.fromMs, windowEnd.toMs);
    for (const { server } of servers) await server.stop();
    await clearLeftovers(db);
    const byPart = await cpuByPart(profileDir, { fromUs: window.fromUs, toUs: windowEnd.toUs } satisfies MonotonicWindow);
    const run = describeRun(deployment, servers.map(({ role }) => role), outcome, before, after, byPart, (windowEnd.toMs - window.fromMs) / 1000);
    progress.done(`${formatCount(run.completedPerSec)} payments/s completed, request → COMPLETED p50 ${run.latency.p50Ms} / p99 ${run.latency.p99Ms} ms, ${run.cpuMsPerPayment.total} ms CPU per payment`);
    return run;
  } finally {
    for (const { server } of servers) await server.stop();
    await rm(profileDir, { recursive: true, force: true });
  }
}

interface CpuSnapshot {
  byProcess: Record<string, number>;
  database: Map<number, number>;
  broker: Map<number, number>;
  loadGenerator: number;
  databaseWork: DatabaseWork;
}

/** What the bench database's transactions did, from PostgreSQL's cumulative statistics (flushed about once a second). */
interface DatabaseWork {
  transactions: number;
  rollbacks: number;
  rowsWritten: number;
}

async function cpuSnapshot(db: BenchDatabase, servers: Array<{ role: string; server: Server }>): Promise<CpuSnapshot> {
  const byProcess: Record<string, number> = {};
  for (const { role, server } of servers) byProcess[role] = await processCpuMs(server.pid);
  const own = process.cpuUsage();
  const { rows: [databaseWork] } = await db.admin.query<DatabaseWork>(
    `select (xact_commit + xact_rollback)::float8 as transactions, xact_rollback::float8 as rollbacks,
            (tup_inserted + tup_updated + tup_deleted)::float8 as "rowsWritten"
       from pg_stat_database where datname = current_database()`,
  );
  return { byProcess, database: await commandCpuMs('postgres'), broker: await commandCpuMs('java'), loadGenerator: (own.user + own.system) / 1000, databaseWork: databaseWork! };
}

interface HeldBack {
  parkedKeys: number;
  parkedMessages: number;
  deadLetters: number;
  heldOutboxKeys: number;
  unpublishedOutboxRows: number;
}

async function unpublishedOutboxRows(db: BenchDatabase): Promise<number> {
  const { rows: [row] } = await db.admin.query<{ count: number }>('select count(*)::int as count from messaging.outbox where published_at is null');
  return row!.count;
}

/**
 * The deployments share one database but not their topics (each Kafka deployment has its own
 * prefix): rows a stopped deployment left unpublished would go to the next one's relay, which
 * cannot send them to topics its broker does not host, and holds their keys (recorded in heldBack).
 */
async function clearLeftovers(db: BenchDatabase): Promise<void> {
  await db.admin.query('delete from messaging.outbox where published_at is null');
  await db.admin.query('delete from messaging.outbox_key_hold');
}

interface LoadOutcome {
  heldBack: HeldBack;
  completed: number;
  requestedInWindow: number;
  refused: number;
  latenciesMs: number[];
  unfinished: number;
}

function describeRun(deployment: string, processes: string[], outcome: LoadOutcome, before: CpuSnapshot, after: CpuSnapshot, byPart: CpuByPart, measuredSec: number): ThroughputRun {
  if (outcome.completed === 0) throw new Error(`${deployment}: no payment completed in the measured window`);
  const perPayment = (ms: number) => round(ms / outcome.completed, 3);
  const byProcess = Object.fromEntries(processes.map((role) => [role, perPayment(after.byProcess[role]! - before.byProcess[role]!)]));
  const platform = Object.values(byProcess).reduce((sum, value) => sum + value, 0);
  const database = perPayment(cpuUsedBetween(before.database, after.database));
  const broker = perPayment(cpuUsedBetween(before.broker, after.broker));
  // A profile's sample spans the wall time since the last one, so a thread waiting for a core
  // looks busy: the profiles give each part's share, /proc gives the CPU time those shares divide.
  const profiled = PLATFORM_PARTS.reduce((sum, part) => sum + byPart[part], 0);
  const parts = Object.fromEntries(PLATFORM_PARTS.map((part) => [part, profiled === 0 ? 0 : round((platform * byPart[part]) / profiled, 3)])) as CpuByPart;
  const latency = summariseLatencies(outcome.latenciesMs);
  return {
    deployment,
    processes,
    measuredSec: round(measuredSec, 1),
    completedPerSec: round(outcome.completed / measuredSec, 0),
    completed: outcome.completed,
    requestedPerSec: round(outcome.requestedInWindow / measuredSec, 0),
    refusedRequests: outcome.refused,
    latency: { p50Ms: latency.p50Ms, p90Ms: latency.p90Ms, p99Ms: latency.p99Ms, maxMs: latency.maxMs, unfinished: outcome.unfinished },
    heldBack: outcome.heldBack,
    cpuMsPerPayment: {
      total: round(platform + database + broker, 3),
      byProcess,
      database,
      broker,
      loadGenerator: perPayment(after.loadGenerator - before.loadGenerator),
      byPart: parts,
    },
    databaseWorkPerPayment: {
      transactions: perPayment(after.databaseWork.transactions - before.databaseWork.transactions),
      rollbacks: perPayment(after.databaseWork.rollbacks - before.databaseWork.rollbacks),
      rowsWritten: perPayment(after.databaseWork.rowsWritten - before.databaseWork.rowsWritten),
    },
  };
}

/**
 * The load: `connections` callers each sending `POST /payments` back to back, as long as fewer than
 * `inFlight` payments are still on their way (CREATED or PROCESSING, counted every 50 ms), so the
 * platform is kept busy without a queue growing behind it. Each accepted payment's send time is
 * kept, to be set against its completedAt.
 */
class PaymentLoad {
  requested = 0;
  backlog = 0;
  private refused = 0;
  private readonly sentAt = new Map<number, number>();
  private readonly accountIds: number[];
  private firstId: number | undefined;

  constructor(
    private readonly db: BenchDatabase,
    private readonly url: string,
    private readonly accounts: BenchAccount[],
    private readonly options: ThroughputOptions,
  ) {
    this.accountIds = accounts.map(({ accountId }) => accountId);
  }

  async run(durationMs: number): Promise<void> {
    this.firstId = await this.nextPaymentId();
    const deadline = Date.now() + durationMs;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        this.backlog = await this.inFlight();
        await sleep(50);
      }
    })();
    let n = 0;
    const caller = async (): Promise<void> => {
      while (Date.now() < deadline) {
        if (this.backlog >= this.options.inFlight) {
          await sleep(5);
          continue;
        }
        this.backlog++;
        await this.pay(n++);
      }
    };
    try {
      await Promise.all(Array.from({ length: this.options.connections }, caller));
    } finally {
      polling = false;
      await poller;
    }
  }

  /** Until every payment of the load is done and the events they caused (the last captures' balance changes) are published. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (((await this.inFlight()) > 0 || (await unpublishedOutboxRows(this.db)) > 0) && Date.now() < deadline) await sleep(200);
  }

  /** Completions in [fromMs, toMs], and the latency of each payment sent in it. */
  async outcome(fromMs: number, toMs: number): Promise<LoadOutcome> {
    const { rows: [done] } = await this.db.admin.query<{ count: number }>(
      `select count(*)::int as count from payment.payment where completed_at between $1 and $2 and status in ('COMPLETED', 'FAILED')`,
      [new Date(fromMs), new Date(toMs)],
    );
    const sentInWindow = [...this.sentAt].filter(([, at]) => at >= fromMs && at <= toMs);
    const { rows } = await this.db.admin.query<{ id: string; completed_at: Date | null }>(
      'select id, completed_at from payment.payment where id = any($1::bigint[])',
      [sentInWindow.map(([id]) => id)],
    );
    const finishedAt = new Map(rows.map((row) => [Number(row.id), row.completed_at?.getTime()]));
    const latenciesMs: number[] = [];
    let unfinished = 0;
    for (const [id, at] of sentInWindow) {
      const finished = finishedAt.get(id);
      if (finished === undefined) unfinished++;
      else latenciesMs.push(Math.max(0, finished - at));
    }
    return { completed: done!.count, requestedInWindow: sentInWindow.length, refused: this.refused, latenciesMs, unfinished, heldBack: await this.heldBack() };
  }

  private async heldBack(): Promise<HeldBack> {
    const { rows: [row] } = await this.db.admin.query<HeldBack>(
      `select (select count(*)::int from messaging.parked_key) as "parkedKeys",
              (select count(*)::int from messaging.parked_message) as "parkedMessages",
              (select count(*)::int from messaging.dead_letter) as "deadLetters",
              (select count(*)::int from messaging.outbox_key_hold) as "heldOutboxKeys",
              (select count(*)::int from messaging.outbox where published_at is null) as "unpublishedOutboxRows"`,
    );
    return row!;
  }

  private async nextPaymentId(): Promise<number> {
    const { rows: [row] } = await this.db.admin.query<{ next: number }>('select coalesce(max(id), 0)::int + 1 as next from payment.payment');
    return row!.next;
  }

  private async pay(n: number): Promise<void> {
    const { accountId, authorization } = this.accounts[n % this.accounts.length]!;
    const sent = Date.now();
    const response = await fetch(`${this.url}/payments`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      // Whole cents, a new amount each round (the repeated-amount rule stays quiet).
      body: JSON.stringify({ accountId, amount: (101 + (Math.floor(n / this.accounts.length) % 500)) / 100, currency: 'EUR' }),
    }).catch(() => undefined);
    this.requested++;
    if (response?.status !== 201) {
      this.refused++;
      await response?.text();
      return;
    }
    const { id, status } = (await response.json()) as { id: number; status: string };
    if (status === 'CREATED') this.sentAt.set(id, sent);
  }

  private async inFlight(): Promise<number> {
    // This load's payments only: an earlier phase's API-only run leaves payments CREATED for good,
    // and so does a deployment stopped before its last events were handled (its topics go with it).
    this.firstId ??= await this.nextPaymentId();
    const { rows: [row] } = await this.db.admin.query<{ count: number }>(
      `select count(*)::int as count from payment.payment where status in ('CREATED', 'PROCESSING') and account_id = any($1::bigint[]) and id >= $2`,
      [this.accountIds, this.firstId],
    );
    return row!.count;
  }
}
