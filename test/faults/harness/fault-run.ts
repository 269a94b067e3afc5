import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Test } from 'tap';
import { MODULE_NAMES } from '../../../src/config.ts';
import { TopicNames } from '../../../src/platform/messaging/contract.ts';
import { loadModules } from '../../../src/platform/module-loader.ts';
import { consumesOf } from '../../../src/platform/module.ts';
import { createTestDatabase } from '../../harness/database.ts';
import { PlatformProcess } from './platform-process.ts';
import { mulberry32, Workload } from './workload.ts';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Which consumer group must see the events of which topic: from the modules' listener declarations. */
export interface Delivery {
  topic: string;
  consumer: string;
  /** The contract the group consumes there (CloudEvents type and version). */
  type: string;
  version: number;
}

export type Role = 'api' | 'worker' | 'relay';

export interface SplitDeployment {
  api: PlatformProcess;
  worker: PlatformProcess;
  relay: PlatformProcess;
}

export interface FaultRunOptions {
  /** Kafka bootstrap servers; without them the processes use the local transport (one process, all roles). */
  brokers?: string[];
  /** An existing database URL (e.g. an embedded PostgreSQL the scenario restarts); else a fresh test database. */
  databaseUrl?: string;
}

/**
 * What every fault scenario shares: a database of its own, a topic and group namespace, the
 * environment of the platform's processes, the expected deliveries, a pool for the checks, and
 * the processes themselves (stopped at the end, whatever happened).
 */
export class FaultRun {
  readonly pool: pg.Pool;
  private readonly processes: PlatformProcess[] = [];
  private nextPort = 0;
  private crash: string | undefined;

  private constructor(
    readonly databaseUrl: string,
    private readonly brokers: string[] | undefined,
    readonly namespace: string,
    readonly deliveries: Delivery[],
    /** Seeds the workload and the fault's random moments; printed, so that a run can be repeated. */
    readonly seed: number,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
    // A check's connection may be cut by the database restart scenario; the next query reconnects.
    this.pool.on('error', () => {});
  }

  static async create(t: Test, options: FaultRunOptions = {}): Promise<FaultRun> {
    let databaseUrl = options.databaseUrl;
    if (databaseUrl === undefined) {
      const database = await createTestDatabase();
      t.teardown(() => database.drop());
      databaseUrl = database.url;
    }
    const namespace = `f${randomBytes(3).toString('hex')}`;
    const seed = Number(process.env['FAULT_SEED'] ?? Math.floor(Math.random() * 1e9));
    t.comment(`seed ${seed} (FAULT_SEED=${seed} repeats the run)`);
    const run = new FaultRun(databaseUrl, options.brokers, namespace, await expectedDeliveries(namespace), seed);
    t.teardown(() => run.close());
    return run;
  }

  /** Partitions of each topic the platform's processes create (FAULT_TOPIC_PARTITIONS, default 6). */
  get kafkaTopicPartitions(): number {
    return Number(process.env['FAULT_TOPIC_PARTITIONS'] ?? 6);
  }

  get transport(): 'local' | 'kafka' {
    return this.brokers === undefined ? 'local' : 'kafka';
  }

  /** A platform process with the given roles (all of them on the local transport). */
  process(name: string, roles: Role[], env: Record<string, string> = {}): PlatformProcess {
    const port = roles.includes('api') ? this.freePort() : 0;
    const logDirectory = process.env['FAULT_LOG_DIR'];
    const child = new PlatformProcess({
      name, port, env: { ...this.environment(roles), PORT: String(port), ...env },
      ...(logDirectory ? { logFile: join(logDirectory, `${this.namespace}-${name}.log`) } : {}),
      onCrash: (report) => (this.crash ??= report),
    });
    this.processes.push(child);
    return child;
  }

  /** The split deployment most scenarios run on Kafka: api, worker and relay as three processes, started. */
  async startSplitDeployment(): Promise<SplitDeployment> {
    const deployment = { api: this.process('api', ['api']), worker: this.process('worker', ['worker']), relay: this.process('relay', ['relay']) };
    await Promise.all(Object.values(deployment).map((child) => child.start()));
    return deployment;
  }

  /**
   * The platform as each transport deploys it, started; resolves with the process serving HTTP.
   * Local: everything in one process, as `npm start` runs it. Kafka: the split deployment.
   */
  async deploy(): Promise<PlatformProcess> {
    if (this.transport === 'kafka') return (await this.startSplitDeployment()).api;
    const platform = this.process('platform', ['api', 'worker', 'relay']);
    await platform.start();
    return platform;
  }

  /** Business traffic against `api`, from this run's seed; `accounts` people, `concurrency` requests at once. */
  workload(api: PlatformProcess, { accounts, concurrency }: { accounts: number; concurrency: number } = { accounts: 20, concurrency: 12 }): Workload {
    return new Workload({ url: api.url, accounts, concurrency, prefix: `${this.namespace}u` }, this.seed);
  }

  /** A generator for the fault's own random choices (when to kill), from this run's seed. */
  random(): () => number {
    return mulberry32(this.seed ^ 0x5eed);
  }

  /** Throws when a platform process died without the scenario killing it: no fault may do that. */
  assertNoCrash(): void {
    if (this.crash !== undefined) throw new Error(this.crash);
  }

  /** What the first process that died by itself logged last; undefined when none did. */
  crashReport(): string | undefined {
    return this.crash;
  }

  /** Duplicate deliveries the inboxes absorbed, over every process and incarnation of this run. */
  duplicatesAbsorbed(): number {
    return this.processes.reduce((sum, child) => sum + child.duplicatesAbsorbed, 0);
  }

  /** Writes a scenario's figures to test/faults/results/<name>.json (not committed) and to the TAP output. */
  async report(t: Test, name: string, figures: Record<string, unknown>): Promise<void> {
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify({ scenario: name, at: new Date().toISOString(), ...figures }, null, 2)}\n`);
    t.comment(`figures ${name}: ${JSON.stringify(figures)}`);
  }

  private environment(roles: Role[]): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      ROLE: roles.join(','),
      TOPIC_PREFIX: `${this.namespace}.`,
      KAFKA_GROUP_PREFIX: this.namespace,
      RELAY_POLL_INTERVAL_MS: '200',
      RELAY_BACKOFF_BASE_MS: '50',
      RELAY_BACKOFF_MAX_MS: '1000',
      CONSUMER_RETRY_BASE_MS: '10',
      CONSUMER_MAX_ATTEMPTS: '5',
      // Billing's simulated processing time (SPEC default 0.5–5 s) would only slow the run down.
      PROCESSING_DELAY_MIN_MS: '0',
      PROCESSING_DELAY_MAX_MS: '20',
      ORDER_WAIT_MS: '2000',
      // The workload pays often from few accounts; the velocity rule would suspend them all.
      FRAUD_MAX_PAYMENTS_PER_MINUTE: '1000000',
      RATE_LIMIT_MONEY_PER_MINUTE: '1000000',
      ...(this.brokers === undefined
        ? {}
        : {
            KAFKA_BROKERS: this.brokers.join(','),
            // The broker's lowest session timeout (group.min.session.timeout.ms): a killed member is noticed soon.
            KAFKA_SESSION_TIMEOUT_MS: '6000',
            KAFKA_TOPIC_PARTITIONS: String(this.kafkaTopicPartitions),
            KAFKA_HEARTBEAT_INTERVAL_MS: '500',
            KAFKA_FETCH_MAX_WAIT_MS: '100',
          }),
    };
  }

  /**
   * Below Linux's ephemeral range (32768–60999): a port in it can be taken as the local end of any
   * outgoing connection (a broker's, a client's) between two starts of the api, which then fails
   * with EADDRINUSE (seen once in the three-broker scenario).
   */
  private freePort(): number {
    if (this.nextPort === 0) this.nextPort = 26_000 + Math.floor(Math.random() * 6_000);
    return this.nextPort++;
  }

  private async close(): Promise<void> {
    await Promise.allSettled(this.processes.map((child) => child.stop()));
    await this.pool.end();
  }
}

async function expectedDeliveries(namespace: string): Promise<Delivery[]> {
  const topics = new TopicNames(`${namespace}.`);
  const modules = await loadModules(MODULE_NAMES);
  return modules.flatMap((module) =>
    consumesOf(module).map((contract) => ({ topic: topics.of(contract), consumer: `${namespace}.${module.name}`, type: contract.type, version: contract.version })),
  );
}
