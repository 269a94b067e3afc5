import pg from 'pg';
import { measureEndToEndLatency, type EndToEndLatency } from './end-to-end-latency.bench.ts';
import type { BenchDatabase } from './support/bench-database.ts';
import { round } from './support/percentiles.ts';

export interface RetentionOptions {
  ratePerSec: number;
  durationMs: number;
  /** INBOX_RETENTION_HOURS of the run: short, so the inbox reaches its steady state within minutes. */
  inboxRetentionHours: number;
  sampleEveryMs: number;
}

/** The messaging tables at one moment of the run. */
export interface TableSample {
  atSec: number;
  outboxRows: number;
  /** Table, indexes and TOAST together (pg_total_relation_size); the indexes' share beside it. */
  outboxBytes: number;
  outboxIndexBytes: number;
  inboxRows: number;
  inboxBytes: number;
  inboxIndexBytes: number;
}

export interface RetentionSoak {
  offeredPerSec: number;
  durationSec: number;
  outboxRetentionHours: number;
  inboxRetentionHours: number;
  samples: TableSample[];
  /**
   * The largest figure of each half of the samples taken under load after two inbox retentions
   * (the warm-up). Published outbox rows are pruned once a minute (more often while a chunk of
   * 10,000 is full), so the outbox's row count is a saw tooth: samples every few seconds catch
   * each minute's peak.
   */
  firstHalfMax: Omit<TableSample, 'atSec'>;
  secondHalfMax: Omit<TableSample, 'atSec'>;
  /** Commit → handled under the same load, over the whole run. */
  latency: EndToEndLatency;
}

const WARM_UP_MS = 2000;

const SIZES_SQL = `
  select (select count(*) from messaging.outbox)::int as outbox_rows,
         pg_total_relation_size('messaging.outbox')::bigint as outbox_bytes,
         pg_indexes_size('messaging.outbox')::bigint as outbox_index_bytes,
         (select count(*) from messaging.inbox)::int as inbox_rows,
         pg_total_relation_size('messaging.inbox')::bigint as inbox_bytes,
         pg_indexes_size('messaging.inbox')::bigint as inbox_index_bytes`;

/**
 * Does pruning keep up? The latency run's steady load (one outbox row and one inbox row per event)
 * for minutes, with published outbox rows pruned at once and inbox rows after a short retention,
 * while the outbox and inbox tables' rows and on-disk sizes are sampled. Bounded tables stop
 * growing once the retention window is full: the second half's largest sample is no larger than
 * the first half's.
 */
export async function measureRetention(db: BenchDatabase, options: RetentionOptions, onSample: (sample: TableSample) => void): Promise<RetentionSoak> {
  const samples: TableSample[] = [];
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  const startedAt = Date.now();
  // Sampled from the run's start, judged over the load only (not the platform's start or the drain after).
  let loadFrom = Infinity;
  let finished = false;
  const sampling = (async () => {
    while (!finished) {
      await new Promise((resolve) => setTimeout(resolve, options.sampleEveryMs));
      const sample = await sampleTables(pool, (Date.now() - startedAt) / 1000);
      if (sample !== undefined) {
        samples.push(sample);
        onSample(sample);
      }
    }
  })();
  let latency: EndToEndLatency;
  try {
    latency = await measureEndToEndLatency(db, 'local', undefined, {
      ratePerSec: options.ratePerSec,
      durationMs: options.durationMs,
      warmUpMs: WARM_UP_MS,
      onLoadStart: () => void (loadFrom = (Date.now() - startedAt) / 1000),
      env: { OUTBOX_RETENTION_HOURS: '0', INBOX_RETENTION_HOURS: String(options.inboxRetentionHours) },
    });
  } finally {
    finished = true;
    await sampling;
    await pool.end();
  }
  const steadyFrom = loadFrom + 2 * options.inboxRetentionHours * 3600;
  const loadUntil = loadFrom + (WARM_UP_MS + options.durationMs) / 1000;
  const steady = samples.filter((sample) => sample.atSec >= steadyFrom && sample.atSec <= loadUntil);
  const middle = Math.floor(steady.length / 2);
  return {
    offeredPerSec: options.ratePerSec,
    durationSec: round(options.durationMs / 1000, 0),
    outboxRetentionHours: 0,
    inboxRetentionHours: options.inboxRetentionHours,
    samples,
    firstHalfMax: largest(steady.slice(0, middle)),
    secondHalfMax: largest(steady.slice(middle)),
    latency,
  };
}

/** Undefined until the platform created the tables (the run resets the database first). */
async function sampleTables(pool: pg.Pool, atSec: number): Promise<TableSample | undefined> {
  try {
    const { rows } = await pool.query<{
      outbox_rows: number; outbox_bytes: string; outbox_index_bytes: string; inbox_rows: number; inbox_bytes: string; inbox_index_bytes: string;
    }>(SIZES_SQL);
    const row = rows[0]!;
    return {
      atSec: round(atSec, 0),
      outboxRows: row.outbox_rows,
      outboxBytes: Number(row.outbox_bytes),
      outboxIndexBytes: Number(row.outbox_index_bytes),
      inboxRows: row.inbox_rows,
      inboxBytes: Number(row.inbox_bytes),
      inboxIndexBytes: Number(row.inbox_index_bytes),
    };
  } catch {
    return undefined;
  }
}

function largest(samples: TableSample[]): Omit<TableSample, 'atSec'> {
  const max = (pick: (sample: TableSample) => number) => Math.max(0, ...samples.map(pick));
  return {
    outboxRows: max((sample) => sample.outboxRows),
    outboxBytes: max((sample) => sample.outboxBytes),
    outboxIndexBytes: max((sample) => sample.outboxIndexBytes),
    inboxRows: max((sample) => sample.inboxRows),
    inboxBytes: max((sample) => sample.inboxBytes),
    inboxIndexBytes: max((sample) => sample.inboxIndexBytes),
  };
}
