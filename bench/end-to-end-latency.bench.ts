import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { ModuleConsumer } from '../src/platform/messaging/module-consumer.ts';
import { bindHandlers, handles } from '../src/platform/messaging/event-handler.ts';
import { HEADERS } from '../src/platform/messaging/envelope.ts';
import type { Transport } from '../src/platform/messaging/transports/transport.ts';
import type { TestKafkaBroker } from '../test/harness/kafka-broker.ts';
import { startTestPlatform, type TestPlatform } from '../test/harness/platform.ts';
import { tunableEnv } from './support/bench-config.ts';
import type { BenchDatabase } from './support/bench-database.ts';
import { BenchEvent, commitOutboxEvent } from './support/bench-events.ts';
import type { LoadReport, LoadRequest } from './support/load-generator.worker.ts';
import { round, summariseLatencies, type LatencySummary } from './support/percentiles.ts';
import { formatCount, Progress } from './support/progress.ts';
import { TOPIC_PARTITIONS, type RelayTarget } from './relay-throughput.bench.ts';

export interface LatencyOptions {
  /** Business transactions committed per second, one event each, paced by the clock. */
  ratePerSec: number;
  /** Measured window; events of the warm-up before it are not counted. */
  durationMs: number;
  warmUpMs: number;
  /** Platform settings of this run beside the tunable ones (the soak run's short retention). */
  env?: Record<string, string>;
  /**
   * The parking run: from `fromMs` into the measured window on, the handler fails for good on the
   * first `keys` accounts, which park one by one; the others' latency is compared before and after.
   */
  failing?: { keys: number; fromMs: number };
  /** Called when the load generator starts (after the platform started and the consumer joined). */
  onLoadStart?: () => void;
}

/** The latency of the keys that kept working, before and while others were failing and parked. */
export interface LatencyBesideParking {
  failingKeys: number;
  before: { count: number; p50Ms: number; p99Ms: number };
  during: { count: number; p50Ms: number; p99Ms: number };
  /** At the end of the run, in messaging.parked_key and parked_message. */
  parkedKeys: number;
  parkedMessages: number;
}

export interface EndToEndLatency extends LatencySummary {
  offeredPerSec: number;
  /** Commits per second actually reached (below `offeredPerSec` when the producer fell behind). */
  committedPerSec: number;
  /** Measured events whose handler had not finished when the bench stopped waiting. */
  unfinished: number;
  /** The same events split where the relay's publish resolved: commit → published, published → handled. */
  stages: { relayMs: { p50: number; p99: number }; consumerMs: { p50: number; p99: number } };
  parking?: LatencyBesideParking;
}

const CONSUMER_GROUP = 'bench.latency';
const DRAIN_TIMEOUT_MS = 30_000;
const MAX_IN_FLIGHT_COMMITS = 200;
/**
 * The load generator's own connections, as another API process would have: enough that the time
 * a commit takes (its WAL flush, several ms on a busy disk) does not cap the offered rate —
 * 1,000/s at 5 ms a commit already needs 5 in flight.
 */
const GENERATOR_POOL_SIZE = 16;
/** The probes that wait for the consumer to join commit from the bench's own small pool. */
const PROBE_POOL_SIZE = 2;
const FIRST_MEASURED_EVENT = 1_000_000;

/**
 * End-to-end latency under a steady load: the real platform (relay woken by NOTIFY, transport,
 * consumer runner with inbox) and one extra consumer group whose handler writes one row. Each
 * business transaction commits one outbox row (from the load generator's own thread and pool, as
 * another API process would); latency runs from the moment its commit returned to the moment the
 * consumer's handler-and-inbox transaction committed, on a clock both threads share.
 */
export async function measureEndToEndLatency(
  db: BenchDatabase,
  target: RelayTarget,
  broker: TestKafkaBroker | undefined,
  options: LatencyOptions,
): Promise<EndToEndLatency> {
  await db.reset();
  const starting = new Progress(`latency ${target}: starting the platform`);
  const app = await startTestPlatform({
    databaseUrl: db.url,
    transport: target,
    ...(broker === undefined ? {} : { brokers: broker.brokers }),
    // The relay's production poll interval: between polls only the outbox NOTIFY wakes it.
    env: { RELAY_POLL_INTERVAL_MS: '1000', ...tunableEnv(), ...options.env },
    overrides: {},
  });
  const probes = new pg.Pool({ connectionString: db.url, max: PROBE_POOL_SIZE });
  try {
    const topic = app.container.cradle.topics.of(BenchEvent);
    if (broker !== undefined) await broker.createTopic(topic, TOPIC_PARTITIONS);
    // Its dead-letter topic too, as the platform makes one for a module's topics: without it the
    // relay is refused each dead letter of the parking run, and its retries slow every key.
    await app.container.cradle.transport.ensureTopics([topic]);
    const finishedAt = new Map<string, number>();
    const publishedAt = timePublishes(app.container.cradle.transport);
    // Events of a failing key: dead-lettered or parked, so "finished" says nothing about latency.
    const ofFailingKeys = new Set<string>();
    let failingFrom = Infinity;
    const failingKey = (key: string | null): boolean => options.failing !== undefined && Number(key) <= options.failing.keys;
    await startTimedConsumer(
      app,
      app.container.cradle.transport,
      (eventId, key) => (clock() >= failingFrom && failingKey(key) ? ofFailingKeys.add(eventId) : finishedAt.set(eventId, clock())),
      (accountId) => clock() >= failingFrom && failingKey(String(accountId)),
    );
    starting.update('waiting for the consumer group to join');
    await waitUntilConsuming((n) => commitOutboxEvent(probes, topic, n), finishedAt);
    starting.done('consuming');

    const progress = new Progress(`latency ${target}: ${formatCount(options.ratePerSec)} events/s`);
    const committedAt = new Map<string, number>();
    if (options.failing !== undefined) failingFrom = clock() + options.warmUpMs + options.failing.fromMs;
    options.onLoadStart?.();
    const load = await offerLoad({ databaseUrl: db.url, topic, ratePerSec: options.ratePerSec, durationMs: options.durationMs, warmUpMs: options.warmUpMs }, committedAt, (committed, inFlight) =>
      progress.update(`${formatCount(committed)} committed, ${formatCount(finishedAt.size)} handled, ${inFlight} commits in flight`));
    const drainStarted = performance.now();
    while (performance.now() - drainStarted < DRAIN_TIMEOUT_MS && [...committedAt.keys()].some((id) => !finishedAt.has(id) && !ofFailingKeys.has(id))) {
      progress.update(`waiting for the last ${countUnfinished(committedAt, finishedAt)} events`);
      await sleep(50);
    }
    for (const id of ofFailingKeys) committedAt.delete(id);
    const latencies = [...committedAt].flatMap(([id, committed]) => {
      const finished = finishedAt.get(id);
      return finished === undefined ? [] : [finished - committed];
    });
    const summary = summariseLatencies(latencies);
    const stage = (from: Map<string, number>, to: Map<string, number>) => {
      const spans = [...committedAt.keys()].flatMap((id) => (from.has(id) && to.has(id) ? [to.get(id)! - from.get(id)!] : []));
      const { p50Ms, p99Ms } = summariseLatencies(spans);
      return { p50: p50Ms, p99: p99Ms };
    };
    const result: EndToEndLatency = {
      ...summary,
      stages: { relayMs: stage(committedAt, publishedAt), consumerMs: stage(publishedAt, finishedAt) },
      offeredPerSec: options.ratePerSec,
      committedPerSec: round(load.committed / load.seconds, 0),
      unfinished: countUnfinished(committedAt, finishedAt),
      ...(options.failing === undefined ? {} : { parking: await besideParking(probes, options.failing.keys, committedAt, finishedAt, failingFrom) }),
    };
    progress.done(`p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms over ${formatCount(summary.count)} events (${result.committedPerSec}/s committed)`);
    return result;
  } finally {
    await probes.end();
    await app.stop();
  }
}

/**
 * When the relay's publish of each event resolved (the transport acknowledged it), on the bench's
 * clock: splits the latency into the relay's share and the transport-and-consumer's share.
 */
function timePublishes(transport: Transport): Map<string, number> {
  const publishedAt = new Map<string, number>();
  const publish = transport.publish.bind(transport);
  transport.publish = async (messages) => {
    await publish(messages);
    const now = clock();
    for (const message of messages) {
      const eventId = message.headers[HEADERS.id];
      if (eventId !== undefined) publishedAt.set(eventId, now);
    }
  };
  return publishedAt;
}

/** A consumer group like a module's, subscribed so that we see when each message is fully done. */
async function startTimedConsumer(
  app: TestPlatform,
  transport: Transport,
  finished: (eventId: string, key: string | null) => void,
  fails: (accountId: number) => boolean,
): Promise<void> {
  const { orm, units, topics, deadLetters, parking, metrics, logger, config } = app.container.cradle;
  await orm.em.fork().execute('create table if not exists public.bench_effect (event_id uuid not null, account_id bigint not null)');
  const consumer = new ModuleConsumer({
    group: CONSUMER_GROUP, orm, units, topics, transport, deadLetters, parking, metrics, logger, settings: config.consumer,
    handlers: bindHandlers([
      handles(BenchEvent, () => async (event, { em }) => {
        if (fails(event.data.accountId)) throw new Error(`the handler has a bug for account ${event.data.accountId}`);
        await em.execute('insert into public.bench_effect (event_id, account_id) values (?, ?)', [event.id, event.data.accountId]);
      }),
    ], app.container.cradle),
  });
  await app.addConsumer(consumer, (messages) => {
    for (const message of messages) {
      const eventId = message.headers[HEADERS.id];
      if (eventId !== undefined) finished(eventId, message.key);
    }
  });
}

/** Splits the working keys' latencies at the moment the failing keys started to fail. */
async function besideParking(
  pool: pg.Pool,
  failingKeys: number,
  committedAt: Map<string, number>,
  finishedAt: Map<string, number>,
  failingFrom: number,
): Promise<LatencyBesideParking> {
  const before: number[] = [];
  const during: number[] = [];
  for (const [id, committed] of committedAt) {
    const finished = finishedAt.get(id);
    if (finished !== undefined) (committed < failingFrom ? before : during).push(finished - committed);
  }
  const brief = (latencies: number[]) => {
    const { count, p50Ms, p99Ms } = summariseLatencies(latencies);
    return { count, p50Ms, p99Ms };
  };
  const { rows } = await pool.query<{ keys: number; messages: number }>(
    `select (select count(*) from messaging.parked_key where consumer = $1 and dead_letter_id is not null)::int as keys,
            (select count(*) from messaging.parked_message where consumer = $1)::int as messages`, [CONSUMER_GROUP]);
  return { failingKeys, before: brief(before), during: brief(during), parkedKeys: rows[0]!.keys, parkedMessages: rows[0]!.messages };
}

/** Kafka: the first join of a group takes seconds; commit probes until one comes back. */
async function waitUntilConsuming(commit: (n: number) => Promise<string>, finishedAt: Map<string, number>): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (let n = 0; performance.now() < deadline; n++) {
    const id = await commit(n);
    for (let waited = 0; waited < 1000; waited += 25) {
      if (finishedAt.has(id)) {
        finishedAt.clear();
        return;
      }
      await sleep(25);
    }
  }
  throw new Error('the latency consumer received nothing within 60 s');
}

/** Runs the load generator (bench/support/load-generator.worker.ts) and collects its commit times. */
function offerLoad(
  load: { databaseUrl: string; topic: string } & Pick<LatencyOptions, 'ratePerSec' | 'durationMs' | 'warmUpMs'>,
  committedAt: Map<string, number>,
  onProgress: (committed: number, inFlight: number) => void,
): Promise<{ committed: number; seconds: number }> {
  const request: LoadRequest = { ...load, poolSize: GENERATOR_POOL_SIZE, maxInFlight: MAX_IN_FLIGHT_COMMITS, firstEvent: FIRST_MEASURED_EVENT };
  const worker = new Worker(typeScriptWorker(new URL('./support/load-generator.worker.ts', import.meta.url)), { eval: true, workerData: request });
  return new Promise((resolve, reject) => {
    worker.on('message', (report: LoadReport) => {
      if (report.kind === 'committed') {
        for (const [eventId, at] of report.events) committedAt.set(eventId, at);
        onProgress(committedAt.size, report.inFlight);
      } else if (report.kind === 'done') resolve({ committed: report.committed, seconds: report.seconds });
      else reject(new Error(`load generator: ${report.error}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`load generator exited (${code}) before reporting`)));
  });
}

/** A worker thread does not inherit tsx's loader from `--import tsx`: it registers it, then loads the file. */
function typeScriptWorker(file: URL): string {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`;
}

/** Milliseconds on a clock the load generator's thread shares. */
function clock(): number {
  return performance.timeOrigin + performance.now();
}

function countUnfinished(committedAt: Map<string, number>, finishedAt: Map<string, number>): number {
  let unfinished = 0;
  for (const id of committedAt.keys()) if (!finishedAt.has(id)) unfinished++;
  return unfinished;
}
