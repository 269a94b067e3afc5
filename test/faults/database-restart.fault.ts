import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import t from 'tap';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/platform/db/embedded-postgres.ts';
import { testBroker, TRANSPORTS } from '../harness/suite.ts';
import type { TransportKind } from '../harness/platform.ts';
import { FaultRun } from './harness/fault-run.ts';
import { assertInvariants, recoveryAfter, waitForEvents, waitUntilCaughtUp } from './harness/invariants.ts';

const DOWN_MS = 5_000;
const EVENTS_BEFORE_RESTART = 3_000;
const TRAFFIC_AFTER_RESTART_MS = 10_000;

/**
 * The embedded PostgreSQL `npm start` runs, stopped (pg_ctl stop -m fast: sessions cut, in-flight
 * transactions rolled back) and started again on the same data directory and port, mid-run.
 */
class RestartableDatabase {
  private server: EmbeddedDatabase | undefined;

  private constructor(private readonly dataDir: string, private readonly port: number) {}

  static async start(): Promise<RestartableDatabase> {
    const database = new RestartableDatabase(await mkdtemp(join(tmpdir(), 'payments-fault-pg-')), 20_000 + Math.floor(Math.random() * 20_000));
    await database.up();
    return database;
  }

  get url(): string {
    if (this.server === undefined) throw new Error('the database is not running');
    return this.server.url;
  }

  async up(): Promise<void> {
    this.server = await startEmbeddedPostgres(this.dataDir, this.port, pino({ level: 'silent' }));
  }

  async down(): Promise<void> {
    await this.server?.stop();
  }

  async remove(): Promise<void> {
    await this.down();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

for (const transport of TRANSPORTS) {
  t.test(`the database stopped and started mid-run [${transport}]: the API answers 503 meanwhile, work resumes by itself, nothing lost or applied twice`, async (t) => {
    const database = await RestartableDatabase.start();
    t.teardown(() => database.remove());
    const run = await FaultRun.create(t, { databaseUrl: database.url, ...(await brokersFor(transport)) });
    const api = await run.deploy();
    const workload = run.workload(api);
    await workload.onboard(2000);
    workload.start();
    await waitForEvents(run, EVENTS_BEFORE_RESTART);

    await database.down();
    const downAt = new Date();
    await sleep(DOWN_MS);
    await database.up();
    const upAt = new Date();
    await sleep(TRAFFIC_AFTER_RESTART_MS);
    await workload.stop();
    const drainMs = await waitUntilCaughtUp(run);

    const { delivery, money } = await assertInvariants(t, run);
    t.same(workload.unexpectedAnswers([503]), {}, 'while the database was down the API answered 503 problems, never a 500 or a dropped connection');
    const unavailable = Object.values(workload.answers).reduce((sum, statuses) => sum + (statuses['503'] ?? 0), 0);
    t.ok(unavailable > 0, `requests during the outage were refused with 503 (${unavailable})`);
    const firstSuccessMs = workload.firstSuccessAfter(upAt);
    t.ok(firstSuccessMs !== undefined, `the API served requests again after the restart (first 2xx ${firstSuccessMs} ms after the database was back)`);
    t.ok(money.deposits >= workload.depositedMinor && money.deposits <= workload.depositedMinor + workload.uncertainDepositedMinor,
      'the ledger holds every confirmed deposit, plus at most those whose answer was lost with the database');
    t.ok(money.withdrawals >= workload.withdrawnMinor && money.withdrawals <= workload.withdrawnMinor + workload.uncertainWithdrawnMinor,
      'and every confirmed withdrawal, plus at most those whose answer was lost');

    const recovery = await recoveryAfter(run.pool, run.deliveries, upAt);
    await run.report(t, `database-restart-${transport}`, {
      events: delivery.events,
      lost: delivery.unpublished + delivery.undelivered,
      downMs: upAt.getTime() - downAt.getTime(),
      answered503: unavailable,
      duplicatesAbsorbed: run.duplicatesAbsorbed(),
      requests: workload.requests(),
      firstSuccessAfterRestartMs: firstSuccessMs,
      recoveryAfterRestartMs: recovery,
      drainAfterLoadMs: drainMs,
    });
  });
}

async function brokersFor(transport: TransportKind): Promise<{ brokers?: string[] }> {
  return transport === 'kafka' ? { brokers: (await testBroker()).brokers } : {};
}
