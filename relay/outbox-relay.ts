import pg from 'pg';
import { backoffDelay, pause } from '../src/platform/messaging/backoff.ts';
import type { WireHeaders, WireMessage } from '../src/platform/messaging/envelope.ts';
import type { Transport } from '../src/platform/messaging/transports/transport.ts';
import type { Logger } from '../src/platform/observability/logger.ts';
import type { Metrics } from '../src/platform/observability/metrics.ts';
import { OutboxListener } from './outbox-listener.ts';

export interface RelaySettings {
  batchSize: number;
  pollIntervalMs: number;
  retentionHours: number;
  inboxRetentionHours: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

interface ClaimedRow {
  id: number;
  topic: string;
  message_key: string;
  headers: WireHeaders;
  payload: string;
  created_at: Date;
}

const PRUNE_EVERY_MS = 60_000;
const PRUNE_CHUNK = 10_000;

/*
 * Per-key order with any number of relays: every row belongs to one of a fixed set of lanes
 * (a hash of its key), and a relay publishes only from lanes it holds locked for the whole
 * claim → publish → mark transaction. Two relays therefore never publish the same key at once,
 * and inside a lane rows go out in id order. Rows themselves are claimed FOR UPDATE SKIP LOCKED.
 * If the process dies mid-publish the transaction rolls back and the rows are published again:
 * at-least-once, with consumers' inboxes absorbing the repeat.
 */
const CLAIM_SQL = `
  with lanes as (select lane from messaging.outbox_lane for update skip locked)
  select o.id, o.topic, o.message_key, o.headers, o.payload::text as payload, o.created_at
    from messaging.outbox o
   where o.published_at is null and o.lane in (select lane from lanes)
   order by o.id
   limit $1
     for update of o skip locked`;

const MARK_PUBLISHED_SQL = `update messaging.outbox set published_at = now(), attempts = attempts + 1 where id = any($1::bigint[])`;
const MARK_FAILED_SQL = `update messaging.outbox set attempts = attempts + 1, last_error = $2 where id = any($1::bigint[])`;

/** Moves committed outbox rows to the transport. Runs inside the main process or alone (`ROLE=relay`). */
export class OutboxRelay {
  private readonly pool: pg.Pool;
  private readonly listener: OutboxListener;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private woken = false;
  private running: Promise<void> | undefined;
  private lastPrune = 0;

  constructor(
    databaseUrl: string,
    private readonly transport: Transport,
    private readonly settings: RelaySettings,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    this.pool.on('error', (error) => logger.warn({ err: error }, 'relay pool connection lost'));
    this.listener = new OutboxListener(databaseUrl, () => this.notify(), logger);
  }

  start(): void {
    this.listener.start();
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.notify();
    await this.running;
    await this.listener.stop();
    await this.pool.end();
  }

  /** One claim → publish → mark cycle; returns how many rows were published. */
  async publishBatch(): Promise<number> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('begin');
      const { rows } = await client.query<ClaimedRow>({ name: 'outbox-claim', text: CLAIM_SQL, values: [this.settings.batchSize] });
      if (rows.length === 0) {
        await client.query('commit');
        return 0;
      }
      const ids = rows.map((row) => row.id);
      try {
        await this.transport.publish(rows.map(toWireMessage));
      } catch (error) {
        await client.query({ name: 'outbox-failed', text: MARK_FAILED_SQL, values: [ids, describe(error)] });
        await client.query('commit');
        throw error;
      }
      await client.query({ name: 'outbox-published', text: MARK_PUBLISHED_SQL, values: [ids] });
      await client.query('commit');
      this.observe(rows);
      return rows.length;
    } catch (error) {
      broken = true;
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      this.woken = false;
      let published: number;
      try {
        published = await this.publishBatch();
        failures = 0;
      } catch (error) {
        this.metrics.relayFailures.inc();
        const delay = backoffDelay(failures++, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
        this.logger.warn({ err: error, retryInMs: delay, failures }, 'relay cycle failed; backing off');
        await pause(delay, this.stopping.signal);
        continue;
      }
      if (published === this.settings.batchSize) continue;
      await this.pruneIfDue();
      if (!this.woken) await this.sleep(this.settings.pollIntervalMs);
    }
  }

  private notify(): void {
    this.woken = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wake = done;
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

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    try {
      const outbox = await this.pool.query(
        `delete from messaging.outbox where id in (
           select id from messaging.outbox
            where published_at < now() - make_interval(hours => $1) limit $2)`,
        [this.settings.retentionHours, PRUNE_CHUNK],
      );
      const inbox = await this.pool.query(
        `delete from messaging.inbox where (consumer, event_id) in (
           select consumer, event_id from messaging.inbox
            where handled_at < now() - make_interval(hours => $1) limit $2)`,
        [this.settings.inboxRetentionHours, PRUNE_CHUNK],
      );
      if ((outbox.rowCount ?? 0) + (inbox.rowCount ?? 0) > 0) {
        this.logger.info({ outbox: outbox.rowCount, inbox: inbox.rowCount }, 'pruned published outbox and old inbox rows');
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'pruning failed; will retry');
    }
  }
}

function toWireMessage(row: ClaimedRow): WireMessage {
  return { topic: row.topic, key: row.message_key, value: row.payload, headers: row.headers };
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
