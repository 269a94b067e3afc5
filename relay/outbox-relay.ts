import pg from 'pg';
import { PgListener } from '../src/platform/db/pg-listener.ts';
import { backoffDelay, pause } from '../src/platform/messaging/backoff.ts';
import { HEADERS, type WireHeaders, type WireMessage } from '../src/platform/messaging/envelope.ts';
import type { Transport } from '../src/platform/messaging/transports/transport.ts';
import type { Logger } from '../src/platform/observability/logger.ts';
import { sending, type SentMessage } from '../src/platform/observability/messaging-spans.ts';
import type { Metrics } from '../src/platform/observability/metrics.ts';

export interface RelaySettings {
  batchSize: number;
  /** Claim → publish → commit loops running side by side, each on its own share of the lanes. */
  workers: number;
  synchronousCommit: boolean;
  pollIntervalMs: number;
  retentionHours: number;
  inboxRetentionHours: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxAttempts: number;
}

interface ClaimedRow {
  id: number;
  topic: string;
  message_key: string;
  headers: WireHeaders;
  payload: string;
  created_at: Date;
  /** The key is held back (refused before); accepted now, it is let go. */
  held: boolean;
}

/** The channel the outbox insert trigger NOTIFYs (migrations). */
export const OUTBOX_CHANNEL = 'messaging_outbox';

const PRUNE_EVERY_MS = 60_000;
const PRUNE_CHUNK = 10_000;

/*
 * Per-key order with any number of relays: every row belongs to one of a fixed set of lanes
 * (a hash of its key), and a relay publishes only from lanes it holds locked for the whole
 * claim → publish → commit transaction. Two relays therefore never publish the same key at once,
 * and inside a lane rows go out in id order. Rows themselves are claimed FOR UPDATE SKIP LOCKED.
 *
 * One statement claims the rows and marks them published; the mark becomes visible only when the
 * transaction commits, which happens after the transport accepted the batch. If the publish fails
 * or the process dies mid-publish the transaction rolls back and the rows are published again:
 * at-least-once, with consumers' inboxes absorbing the repeat.
 *
 * The held lanes are passed as one array so that the planner walks the unpublished-rows index in
 * id order and stops after `limit` rows; joining the lanes instead made it sort the whole backlog
 * on every claim, so a backlog of n rows cost O(n²) to drain (see bench/README.md).
 *
 * A relay runs `workers` such loops, worker w on the lanes with lane % workers = w: while one
 * waits for the broker the other claims from the database. Lanes stay exclusive (a lane is still
 * locked by one transaction at a time, whatever the number of workers or relays), and a worker
 * publishes its next batch only after the previous one was accepted, so per-key order holds.
 */
/*
 * `begin` travels with the claim: one round trip instead of two on every event's path. That needs
 * the simple query protocol (several statements, no parameters), so the three values are written
 * into the text; they are integers from validated configuration.
 */
function beginAndClaimSql(limit: number, workers: number, worker: number): string {
  if (![limit, workers, worker].every(Number.isSafeInteger)) throw new Error('relay settings must be integers');
  return `begin;
  with lanes as materialized (
         select coalesce(array_agg(free.lane), '{}') as held
           from (select lane from messaging.outbox_lane where lane % ${workers} = ${worker} for update skip locked) free),
       claimed as (
         select o.id from messaging.outbox o
          where o.published_at is null and o.lane = any((select held from lanes)::smallint[])
            and not exists (
              select 1 from messaging.outbox_key_hold h
               where h.message_key = o.message_key and (h.retry_at is null or h.retry_at > now()))
          order by o.id
          limit ${limit}
            for update of o skip locked),
       marked as (
         update messaging.outbox o set published_at = now(), attempts = o.attempts + 1
           from claimed where o.id = claimed.id
         returning o.id, o.topic, o.message_key, o.headers, o.payload::text as payload, o.created_at)
  select m.*, exists (select 1 from messaging.outbox_key_hold h where h.message_key = m.message_key) as held
    from marked m order by id`;
}

/*
 * Undoes the claim's mark in the claiming transaction (the claim already counted the attempt), so
 * the failure is written while this relay still holds the lanes. Written after a rollback instead,
 * it held the rows locked with the lanes free: another relay's claim skipped them and published
 * the key's next event first.
 */
const UNMARK_FAILED_SQL = `
  update messaging.outbox set published_at = null, last_error = $2
   where id = any($1::bigint[])`;

/**
 * A key the transport refused while it accepted other keys of the same batch: held back for a
 * growing delay (the claim skips its rows meanwhile), parked for an operator (no retry_at) after
 * `maxAttempts` refusals. A refusal of the whole batch is an outage, not a key's fault, and holds
 * nothing. A key held earlier and now accepted is let go.
 */
const HOLD_REFUSED_SQL = `
  with refused as (select * from jsonb_to_recordset($1::jsonb) as r(key text, id bigint))
  insert into messaging.outbox_key_hold as h (message_key, outbox_id, refusals, error, retry_at, parked_at)
  select r.key, r.id, 1, $2,
         case when $4 > 1 then now() + make_interval(secs => $3::float8 / 1000) end,
         case when $4 <= 1 then now() end
    from refused r
  on conflict (message_key) do update set
    outbox_id = excluded.outbox_id, refusals = h.refusals + 1, error = excluded.error,
    retry_at = case when h.refusals + 1 >= $4 then null
                    else now() + make_interval(secs => least($5::float8, $3::float8 * 2 ^ h.refusals) / 1000) end,
    parked_at = case when h.refusals + 1 >= $4 then now() end`;

const RELEASE_ACCEPTED_SQL = 'delete from messaging.outbox_key_hold where message_key = any($1::text[])';

/** The transport refused a batch; its rows were unmarked in their claiming transaction. */
class PublishFailed extends Error {
  override name = 'PublishFailed';
  constructor(readonly ids: number[], override readonly cause: unknown) {
    super(describe(cause));
  }
}

/** Moves committed outbox rows to the transport. Runs inside the main process or alone (`ROLE=relay`). */
export class OutboxRelay {
  private readonly pool: pg.Pool;
  private readonly listener: PgListener;
  private readonly stopping = new AbortController();
  /** Sleeping workers, woken by a NOTIFY. */
  private readonly sleepers = new Set<() => void>();
  /** Counts NOTIFYs: a worker that saw one arrive during its cycle goes again instead of sleeping. */
  private notifications = 0;
  private running: Promise<unknown> | undefined;
  /** Per worker, its `begin` + claim-and-mark text. */
  private readonly claims: string[];

  constructor(
    databaseUrl: string,
    private readonly transport: Transport,
    private readonly settings: RelaySettings,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: settings.workers + 1,
      // A lost mark only republishes its rows (at-least-once); not waiting for the WAL flush takes an
      // fsync off every cycle. Set per connection, so it costs no round trip.
      ...(settings.synchronousCommit ? {} : { options: '-c synchronous_commit=off' }),
    });
    this.pool.on('error', (error) => logger.warn({ err: error }, 'relay pool connection lost'));
    // The outbox insert trigger NOTIFYs; rows committed while the listener reconnects are found by polling once.
    this.listener = new PgListener({ url: databaseUrl, channel: OUTBOX_CHANNEL, onNotification: () => this.notify(), onListening: () => this.notify(), logger });
    this.claims = Array.from({ length: settings.workers }, (_, worker) => beginAndClaimSql(settings.batchSize, settings.workers, worker));
  }

  start(): void {
    this.listener.start();
    this.running = Promise.all([...Array.from({ length: this.settings.workers }, (_, worker) => this.loop(worker)), this.pruneLoop()]);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.notify();
    await this.running;
    await this.listener.stop();
    await this.pool.end();
  }

  /** One claim-and-mark → publish → commit cycle of one worker; returns how many rows were published. */
  async publishBatch(worker: number): Promise<number> {
    const client = await this.pool.connect();
    let broken = false;
    // The pool listens for errors only on idle clients. Without this, a connection lost while the
    // batch is out for publishing (a database restart) is an unhandled 'error' that kills the process.
    const lost = (error: Error): void => {
      broken = true;
      this.logger.warn({ err: error }, 'relay database connection lost mid-batch; the batch will be published again');
    };
    client.on('error', lost);
    try {
      const [, claimed] = (await client.query(this.claims[worker]!)) as unknown as [pg.QueryResult, pg.QueryResult<ClaimedRow>];
      const rows = claimed.rows;
      if (rows.length === 0) {
        await client.query('commit');
        return 0;
      }
      let published = rows;
      try {
        await this.publish(rows);
      } catch (error) {
        const failure = new PublishFailed(rows.map((row) => row.id), error);
        // Counted before the failure is written, so whoever sees the row's error also sees the count.
        this.metrics.relayFailures.inc();
        const attributed = await this.publishKeyByKey(client, rows, failure);
        published = attributed?.accepted ?? [];
        if (attributed === undefined) {
          await client.query({ name: 'outbox-unmark-failed', text: UNMARK_FAILED_SQL, values: [failure.ids, failure.message] });
          await client.query('commit');
          throw failure;
        }
      }
      const released = [...new Set(published.filter((row) => row.held).map((row) => row.message_key))];
      if (released.length > 0) await client.query({ name: 'outbox-release-accepted', text: RELEASE_ACCEPTED_SQL, values: [released] });
      await client.query('commit');
      this.observe(published);
      return published.length;
    } catch (error) {
      if (!(error instanceof PublishFailed)) {
        broken = true;
        await client.query('rollback').catch(() => undefined);
      }
      throw error;
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  /**
   * After a refused batch, still holding its lanes: each key's rows on their own, in order. When
   * some keys go through, the transport works and the others were refused for what they are (too
   * large, a topic the cluster lacks): their rows are unmarked and the keys held; the accepted rows
   * stay published. A batch of keys held already, refused again while the transport answers, is
   * theirs too. Otherwise it is an outage: undefined, and the caller backs off with the whole batch.
   */
  private async publishKeyByKey(client: pg.PoolClient, rows: ClaimedRow[], batchFailure: PublishFailed): Promise<{ accepted: ClaimedRow[] } | undefined> {
    const byKey = new Map<string, ClaimedRow[]>();
    for (const row of rows) byKey.set(row.message_key, [...(byKey.get(row.message_key) ?? []), row]);
    if (byKey.size < 2) {
      if (!rows.every((row) => row.held) || !(await this.transport.isReachable())) return undefined;
      await this.holdRefused(client, [...byKey].map(([key, keyRows]) => ({ key, rows: keyRows, error: batchFailure.message })), batchFailure);
      return { accepted: [] };
    }
    const accepted: ClaimedRow[] = [];
    const refused: Array<{ key: string; rows: ClaimedRow[]; error: string }> = [];
    for (const [key, keyRows] of byKey) {
      try {
        await this.publish(keyRows);
        accepted.push(...keyRows);
      } catch (error) {
        refused.push({ key, rows: keyRows, error: describe(error) });
      }
    }
    if (accepted.length === 0) return undefined;
    await this.holdRefused(client, refused, batchFailure);
    return { accepted: accepted.sort((a, b) => a.id - b.id) };
  }

  private async holdRefused(client: pg.PoolClient, refused: Array<{ key: string; rows: ClaimedRow[]; error: string }>, batchFailure: PublishFailed): Promise<void> {
    for (const { key, rows: keyRows, error } of refused) {
      await client.query({ name: 'outbox-unmark-failed', text: UNMARK_FAILED_SQL, values: [keyRows.map((row) => row.id), error] });
      await client.query({
        name: 'outbox-hold-refused', text: HOLD_REFUSED_SQL,
        values: [JSON.stringify([{ key, id: keyRows[0]!.id }]), error, this.settings.backoffBaseMs, this.settings.maxAttempts, this.settings.backoffMaxMs],
      });
      this.logger.warn({ key, rows: keyRows.length, error, batchError: batchFailure.message }, 'transport refused one key while accepting others; key held back');
    }
  }

  /** Hands rows to the transport inside send spans (when spans are recorded). */
  private publish(rows: ClaimedRow[]): Promise<void> {
    const sent = (): SentMessage[] => rows.map((row) => ({
      topic: row.topic,
      key: row.message_key,
      eventId: row.headers[HEADERS.id] ?? '',
      eventType: row.headers[HEADERS.type] ?? '',
      traceparent: row.headers[HEADERS.traceparent],
    }));
    return sending(this.transport.kind, sent, () => this.transport.publish(rows.map(toWireMessage)));
  }

  private async loop(worker: number): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      const notificationsBefore = this.notifications;
      let published: number;
      try {
        published = await this.publishBatch(worker);
        failures = 0;
      } catch (error) {
        if (!(error instanceof PublishFailed)) this.metrics.relayFailures.inc();
        const delay = backoffDelay(failures++, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
        this.logger.warn({ err: error, retryInMs: delay, failures }, 'relay cycle failed; backing off');
        await pause(delay, this.stopping.signal);
        continue;
      }
      if (published === this.settings.batchSize) continue;
      if (this.notifications === notificationsBefore) await this.sleep(this.settings.pollIntervalMs);
    }
  }

  private notify(): void {
    this.notifications++;
    for (const wake of [...this.sleepers]) wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      timer = setTimeout(done, ms);
      this.sleepers.add(done);
      if (this.stopping.signal.aborted) done();
    });
  }

  private observe(rows: ClaimedRow[]): void {
    const now = Date.now();
    const perTopic = new Map<string, number>();
    for (const row of rows) {
      perTopic.set(row.topic, (perTopic.get(row.topic) ?? 0) + 1);
      this.metrics.relayLatency.observe((now - row.created_at.getTime()) / 1000);
    }
    for (const [topic, count] of perTopic) this.metrics.relayPublished.inc({ topic }, count);
  }

  /**
   * Deletes published outbox rows, old inbox rows, expired idempotency keys and settled dead
   * letters, at most PRUNE_CHUNK of each per round so no statement runs long. A loop of its own
   * (on the pool's spare connection), so it goes on during a backlog; a round that found a full
   * chunk runs again at once instead of a minute later, so pruning keeps up with sustained load.
   */
  private async pruneLoop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const full = await this.pruneRound();
      if (!full) await pause(PRUNE_EVERY_MS, this.stopping.signal);
    }
  }

  /** One round; true when some table had more to prune than one chunk. */
  async pruneRound(): Promise<boolean> {
    try {
      const pruned = {
        outbox: await this.pruneChunk(
          `delete from messaging.outbox where id in (
             select id from messaging.outbox where published_at < now() - make_interval(secs => $1::float8 * 3600) limit $2)`,
          [this.settings.retentionHours],
        ),
        inbox: await this.pruneChunk(
          `delete from messaging.inbox where (consumer, event_id) in (
             select consumer, event_id from messaging.inbox where handled_at < now() - make_interval(secs => $1::float8 * 3600) limit $2)`,
          [this.settings.inboxRetentionHours],
        ),
        idempotencyKeys: await this.pruneChunk(
          `delete from messaging.idempotency_key where (route, caller, key) in (
             select route, caller, key from messaging.idempotency_key where expires_at <= now() limit $1)`,
          [],
        ),
        // Settled (redriven or skipped) and no longer parking a key; kept as long as the inbox rows.
        deadLetters: await this.pruneChunk(
          `delete from messaging.dead_letter where id in (
             select d.id from messaging.dead_letter d
              where coalesce(d.redriven_at, d.skipped_at) < now() - make_interval(secs => $1::float8 * 3600)
                and not exists (select 1 from messaging.parked_key k where k.dead_letter_id = d.id)
              limit $2)`,
          [this.settings.inboxRetentionHours],
        ),
      };
      const counts = Object.values(pruned);
      if (counts.some((count) => count > 0)) this.logger.info(pruned, 'pruned outbox, inbox, idempotency keys and settled dead letters');
      return counts.some((count) => count === PRUNE_CHUNK);
    } catch (error) {
      if (!this.stopping.signal.aborted) this.logger.warn({ err: error }, 'pruning failed; will retry');
      return false;
    }
  }

  private async pruneChunk(sql: string, parameters: unknown[]): Promise<number> {
    const result = await this.pool.query(sql, [...parameters, PRUNE_CHUNK]);
    return result.rowCount ?? 0;
  }
}

function toWireMessage(row: ClaimedRow): WireMessage {
  return { topic: row.topic, key: row.message_key, value: row.payload, headers: row.headers };
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
