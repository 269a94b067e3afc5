import { randomBytes } from 'node:crypto';
import type { ClientConfig } from 'pg';
import {
  createReplicationSegmentMutexConcurrencyController,
  DatabaseSetup,
  getDisabledLogger,
  initializePollingMessageListener,
  initializeReplicationMessageListener,
  type GeneralMessageHandler,
  type StoredTransactionalMessage,
} from 'pg-transactional-outbox';
import type { WireHeaders, WireMessage } from '../src/platform/messaging/envelope.ts';
import { LocalTransport } from '../src/platform/messaging/transports/local.transport.ts';
import { benchConfig } from './support/bench-config.ts';
import type { BenchDatabase } from './support/bench-database.ts';
import { BenchEvent, generateEvent } from './support/bench-events.ts';
import { round } from './support/percentiles.ts';
import { formatCount, Progress, say } from './support/progress.ts';

/**
 * pg-transactional-outbox 0.5.7 set up for its best throughput here (bench/README.md has the
 * sweep behind these numbers). Common to both listeners: max-attempts and poisonous-message
 * protection off (each costs an extra transaction per message), no cleanup timer, 20 handler
 * connections (every message is its own transaction), and per-key order kept as ours keeps it:
 * segment = key, concurrency 'sequential'.
 */
export const PEER_SETTINGS = {
  handlerPoolSize: Number(process.env['BENCH_PEER_HANDLER_POOL'] ?? 20),
  polling: {
    /** Messages in flight, and the most one poll fetches: every poll scans the whole backlog, so fetch many. */
    batchSize: Number(process.env['BENCH_PEER_BATCH_SIZE'] ?? 1000),
    /**
     * A poll row-locks the oldest row of every segment, in-flight ones included, and a handler
     * that meets such a lock fails and waits for the lock to expire: short locks retry sooner.
     */
    lockMs: Number(process.env['BENCH_PEER_LOCK_MS'] ?? 500),
    pollingIntervalMs: 10,
  },
};

export type PeerListener = 'polling' | 'replication';

export interface PeerRun {
  eventsPerSec: number;
  events: number;
  seconds: number;
  note?: string;
}

export interface PeerThroughput {
  /** The better of the listeners that could run. */
  eventsPerSec: number;
  listener: PeerListener;
  polling: PeerRun;
  replication: PeerRun | { note: string };
  settings: typeof PEER_SETTINGS;
}

const SCHEMA = 'peer';
const TABLE = 'outbox';
const NEXT_MESSAGES = 'next_outbox_messages';
const PUBLICATION = 'bench_peer_outbox';
const FILL_CHUNK = 5000;
const TIMEOUT_MS = Number(process.env['BENCH_PEER_SECONDS'] ?? 120) * 1000;

/**
 * The same number of the same events, pre-filled in the peer's own outbox table on the same
 * database, moved by its listener to the same local transport and counting subscriber as our
 * relay's local figure. The polling listener always runs; the logical-replication one (the
 * library's other listener) only where the server has wal_level=logical.
 */
export async function measurePeerThroughput(db: BenchDatabase, events: number): Promise<PeerThroughput> {
  const polling = await measureListener(db, 'polling', events);
  const { rows } = await db.admin.query<{ wal_level: string }>('show wal_level');
  const walLevel = rows[0]?.wal_level ?? 'unknown';
  let replication: PeerRun | { note: string };
  if (walLevel === 'logical') {
    replication = await measureListener(db, 'replication', events);
  } else {
    replication = { note: `not measured: the server has wal_level=${walLevel}, the replication listener needs logical` };
    say(`peer replication listener ${replication.note}`);
  }
  const best = 'eventsPerSec' in replication && replication.eventsPerSec > polling.eventsPerSec ? 'replication' : 'polling';
  return {
    eventsPerSec: best === 'replication' ? (replication as PeerRun).eventsPerSec : polling.eventsPerSec,
    listener: best,
    polling,
    replication,
    settings: PEER_SETTINGS,
  };
}

async function measureListener(db: BenchDatabase, listener: PeerListener, events: number): Promise<PeerRun> {
  await db.reset();
  const setup = { outboxOrInbox: 'outbox' as const, database: 'bench', schema: SCHEMA, table: TABLE, listenerRole: 'postgres' };
  await db.admin.query(DatabaseSetup.dropAndCreateTable(setup));
  const slot = `bench_peer_${randomBytes(4).toString('hex')}`;
  if (listener === 'polling') {
    await db.admin.query(DatabaseSetup.createPollingFunction({ ...setup, nextMessagesName: NEXT_MESSAGES }));
    await db.admin.query(DatabaseSetup.setupPollingIndexes({ ...setup, nextMessagesName: NEXT_MESSAGES }));
  } else {
    await db.admin.query(`drop publication if exists ${PUBLICATION}; create publication ${PUBLICATION} for table ${SCHEMA}.${TABLE} with (publish = 'insert')`);
    // Before the fill, so that the slot streams every pre-filled row.
    await db.admin.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  }
  try {
    const fill = new Progress(`peer ${listener} listener: filling its outbox`);
    await fillPeerOutbox(db, events, (done) => fill.update(`${formatCount(done)}/${formatCount(events)} rows`));
    fill.done(`${formatCount(events)} rows committed`);
    return await drain(db, listener, slot, events);
  } finally {
    if (listener === 'replication') await dropSlot(db, slot);
  }
}

async function drain(db: BenchDatabase, listener: PeerListener, slot: string, events: number): Promise<PeerRun> {
  const transport = new LocalTransport(benchConfig().consumer.concurrency);
  let delivered = 0;
  const topic = `bench.peer.${Date.now()}`;
  await transport.subscribe({ group: 'bench.counter', topics: [topic], handle: async () => void delivered++ });
  const publisher: GeneralMessageHandler = { handle: (message) => transport.publish([toWire(message, topic)]) };
  const connections = {
    dbListenerConfig: { connectionString: db.url },
    // The library hands this to `new Pool()`, so the pool size goes here.
    dbHandlerConfig: { connectionString: db.url, max: PEER_SETTINGS.handlerPoolSize } as ClientConfig,
  };
  const common = {
    dbSchema: SCHEMA,
    dbTable: TABLE,
    enableMaxAttemptsProtection: false,
    enablePoisonousMessageProtection: false,
    messageCleanupIntervalInMs: 0,
  };
  const progress = new Progress(`peer ${listener} listener → local`);
  const started = performance.now();
  const [shutdown] = listener === 'polling'
    ? initializePollingMessageListener(
        {
          outboxOrInbox: 'outbox',
          ...connections,
          settings: {
            ...common,
            nextMessagesFunctionSchema: SCHEMA,
            nextMessagesFunctionName: NEXT_MESSAGES,
            nextMessagesBatchSize: PEER_SETTINGS.polling.batchSize,
            nextMessagesLockInMs: PEER_SETTINGS.polling.lockMs,
            nextMessagesPollingIntervalInMs: PEER_SETTINGS.polling.pollingIntervalMs,
          },
        },
        publisher,
        getDisabledLogger(),
        // The default strategy starts with batches of one for a while (poison protection).
        { batchSizeStrategy: async () => PEER_SETTINGS.polling.batchSize },
      )
    : initializeReplicationMessageListener(
        { outboxOrInbox: 'outbox', ...connections, settings: { ...common, dbPublication: PUBLICATION, dbReplicationSlot: slot } },
        publisher,
        getDisabledLogger(),
        { concurrencyStrategy: createReplicationSegmentMutexConcurrencyController() },
      );
  let processed = 0;
  try {
    while (processed < events && performance.now() - started < TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { rows } = await db.admin.query<{ left: number }>(`select count(*)::int as left from ${SCHEMA}.${TABLE} where processed_at is null`);
      processed = events - (rows[0]?.left ?? events);
      const seconds = (performance.now() - started) / 1000;
      progress.update(`${formatCount(processed)}/${formatCount(events)} events, ${formatCount(processed / seconds)}/s`);
    }
  } finally {
    await shutdown();
    await transport.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const eventsPerSec = round(processed / seconds, 0);
  progress.done(`${formatCount(processed)} events in ${seconds.toFixed(2)} s = ${formatCount(eventsPerSec)} events/s`);
  if (delivered < processed) throw new Error(`peer ${listener}: ${processed} rows processed but only ${delivered} messages arrived`);
  return {
    eventsPerSec,
    events: processed,
    seconds: round(seconds, 3),
    ...(processed < events ? { note: `timed out after ${TIMEOUT_MS / 1000} s with ${events - processed} rows left` } : {}),
  };
}

/** A replication slot outlives the database's use of it and holds WAL back: always drop it. */
async function dropSlot(db: BenchDatabase, slot: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await db.admin.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [slot]);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200)); // still active for a moment after shutdown
    }
  }
  say(`peer: could not drop replication slot ${slot}; drop it by hand (select pg_drop_replication_slot('${slot}'))`);
}

function toWire(message: StoredTransactionalMessage, topic: string): WireMessage {
  const headers = (message.metadata?.['headers'] ?? {}) as WireHeaders;
  return { topic, key: message.aggregateId, value: JSON.stringify(message.payload), headers };
}

/** The peer's rows for the same generated events: segment = key keeps per-key order. */
async function fillPeerOutbox(db: BenchDatabase, count: number, onProgress: (done: number) => void): Promise<void> {
  for (let start = 0; start < count; start += FILL_CHUNK) {
    const generated = Array.from({ length: Math.min(FILL_CHUNK, count - start) }, (_, i) => generateEvent(start + i));
    await db.admin.query(
      `insert into ${SCHEMA}.${TABLE} (id, aggregate_type, aggregate_id, message_type, segment, concurrency, payload, metadata, created_at)
       select e.id, 'account', e.key, $1, e.key, 'sequential', e.payload, e.metadata, now() + e.n * interval '1 microsecond'
         from unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::int[]) as e(id, key, payload, metadata, n)`,
      [
        BenchEvent.type,
        generated.map((event) => event.eventId),
        generated.map((event) => event.key),
        generated.map((event) => JSON.stringify(event.data)),
        generated.map((event) => JSON.stringify({ headers: event.headers })),
        generated.map((_, i) => start + i),
      ],
    );
    onProgress(start + generated.length);
  }
  await db.admin.query(`analyze ${SCHEMA}.${TABLE}`);
}
