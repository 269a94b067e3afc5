import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { isoOf } from '../db/raw-time.ts';
import { transactionally } from '../db/transaction.ts';
import type { WireHeaders } from './envelope.ts';
import type { ReceivedMessage } from './transports/transport.ts';

/**
 * Parked and held keys (`messaging.parked_key`) and the messages waiting behind them
 * (`messaging.parked_message`). A consumer group holds a key when one of its messages fails: the
 * message heads the key's queue, the key's later messages join it in arrival order, and the
 * group's retry loop retries the head with backoff while every other key flows. A retry that
 * succeeds drains the queue in order and frees the key; the last failed attempt dead-letters the
 * head and parks the key (`dead_letter_id` set) until an operator redrives or skips that letter,
 * which hands the key back to the retry loop.
 *
 * Locks make queueing and draining agree: whoever queues a message holds the key's row FOR SHARE
 * while it inserts, and a retry step holds it FOR UPDATE while it takes the head or deletes the
 * key; so a message is either queued before the step looks, or sees the key freed.
 */
export interface ParkedKey {
  consumer: string;
  key: string;
  deadLetterId: number;
  error: string;
  parkedAt: string;
  parkedMessages: number;
  oldestParkedAt: string | null;
}

export interface ParkedMessageRow {
  id: number;
  topic: string;
  partition: number;
  message_offset: string;
  message_key: string;
  headers: WireHeaders;
  payload: string | null;
}

export interface ParkingStatus {
  consumer: string;
  /** Parked behind a dead letter, waiting for an operator. */
  keys: number;
  messages: number;
  oldestAgeSeconds: number;
  /** Held while the retry loop retries their failed message. */
  heldKeys: number;
}

/** A held key whose retry is due, and the message heading its queue (none: the key was drained). */
export interface DueKey {
  key: string;
  attempts: number;
  head: ParkedMessageRow | undefined;
}

/** Claims a message's inbox row unless its key is parked for the group; says which happened. */
export const CLAIM_OR_PARKED_SQL = `
  with parked as (select 1 from messaging.parked_key where consumer = ? and message_key = ? for share),
       claimed as (
         insert into messaging.inbox (consumer, event_id, topic)
         select ?, ?, ? where not exists (select 1 from parked)
         on conflict do nothing
         returning 1)
  select exists (select 1 from parked) as parked, exists (select 1 from claimed) as claimed`;

/** The batch's form: inbox rows for the messages of keys not parked; the parked keys among them. */
export const CLAIM_BATCH_OR_PARKED_SQL = `
  with batch as (select * from jsonb_to_recordset(?::jsonb) as m(id text, topic text, key text)),
       parked as (
         select p.message_key from messaging.parked_key p
          where p.consumer = ? and p.message_key in (select key from batch) for share of p),
       claimed as (
         insert into messaging.inbox (consumer, event_id, topic)
         select ?, b.id::uuid, b.topic from batch b where b.key not in (select message_key from parked)
         on conflict do nothing
         returning event_id::text as event_id)
  select 'claimed' as kind, event_id as value from claimed
  union all
  select 'parked', message_key from parked`;

export class Parking {
  constructor(private readonly orm: MikroORM) {}

  /** Stores messages behind their parked key, in the order given; `em` is the transaction that saw the key parked. */
  async park(em: EntityManager, consumer: string, messages: ReceivedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await em.execute(
      `insert into messaging.parked_message (consumer, message_key, topic, partition, message_offset, headers, payload)
       select ?, e.m->>'key', e.m->>'topic', (e.m->>'partition')::int, e.m->>'offset', e.m->'headers', e.m->>'value'
         from jsonb_array_elements(?::jsonb) with ordinality as e(m, n)
        order by e.n`,
      [consumer, JSON.stringify(messages.map((message) => ({ ...message, key: message.key ?? '' })))],
    );
  }

  /**
   * Holds the key of a message whose handler just failed (attempt 1): the message heads the key's
   * queue, the key's later messages park behind it, and the group's retry loop takes it again
   * after `retryInMs`. A key already parked or held keeps its state; the message joins its queue.
   */
  async hold(consumer: string, message: ReceivedMessage, error: string, retryInMs: number): Promise<void> {
    await transactionally(this.orm.em, async (tx) => {
      await tx.execute(
        `insert into messaging.parked_key (consumer, message_key, error, attempts, retry_at)
         values (?, ?, ?, 1, now() + make_interval(secs => ?::float8 / 1000))
         on conflict do nothing`,
        [consumer, message.key ?? '', error.slice(0, 2000), retryInMs],
      );
      await tx.execute('select 1 from messaging.parked_key where consumer = ? and message_key = ? for share', [consumer, message.key ?? '']);
      await this.park(tx, consumer, [message]);
    });
  }

  /**
   * Hands the key parked by `releasedBy` to the group's retry loop, which handles its parked
   * messages in order; false when another letter parks it now (the one released was not the last)
   * or it is not parked at all.
   */
  async release(consumer: string, key: string, releasedBy: number): Promise<boolean> {
    const released = await this.orm.em.fork().execute<Array<{ released: number }>>(
      `update messaging.parked_key set dead_letter_id = null, attempts = 0, retry_at = now()
        where consumer = ? and message_key = ? and dead_letter_id = ? returning 1 as released`,
      [consumer, key, releasedBy],
    );
    return released.length === 1;
  }

  /**
   * In a retry step's transaction: one held key of the group whose retry is due, locked until the
   * step commits (another member's loop skips it), with its queue's head; no head means the key
   * was drained and is deleted: its next message flows again.
   */
  async takeDue(tx: EntityManager, consumer: string): Promise<DueKey | undefined> {
    const [due] = await tx.execute<Array<{ message_key: string; attempts: number }>>(
      `select message_key, attempts from messaging.parked_key
        where consumer = ? and dead_letter_id is null and retry_at <= now()
        order by retry_at limit 1 for update skip locked`,
      [consumer],
    );
    if (due === undefined) return undefined;
    const [head] = await tx.execute<ParkedMessageRow[]>(
      'select * from messaging.parked_message where consumer = ? and message_key = ? order by id limit 1', [consumer, due.message_key],
    );
    if (head === undefined) {
      await tx.execute('delete from messaging.parked_key where consumer = ? and message_key = ?', [consumer, due.message_key]);
    }
    return { key: due.message_key, attempts: due.attempts, head };
  }

  /** The head was handled (or was a duplicate): off the queue; the next one is due at once. */
  async advance(tx: EntityManager, consumer: string, key: string, headId: number): Promise<void> {
    await tx.execute('delete from messaging.parked_message where id = ?', [headId]);
    await tx.execute('update messaging.parked_key set attempts = 0, retry_at = now() where consumer = ? and message_key = ?', [consumer, key]);
  }

  /** The head failed again: counted, with the next try after `retryInMs`. */
  async retryLater(tx: EntityManager, consumer: string, key: string, attempts: number, error: string, retryInMs: number): Promise<void> {
    await tx.execute(
      `update messaging.parked_key set attempts = ?, error = ?, retry_at = now() + make_interval(secs => ?::float8 / 1000)
        where consumer = ? and message_key = ?`,
      [attempts, error.slice(0, 2000), retryInMs, consumer, key],
    );
  }

  /** Milliseconds until the group's next held key is due (0 when one is due now); undefined when none is held. */
  async nextDueInMs(consumer: string): Promise<number | undefined> {
    // greatest() skips nulls: with no held key it would answer 0, "due now", and the loop would spin.
    const [row] = await this.orm.em.fork().execute<Array<{ ms: number | null }>>(
      `select (extract(epoch from min(retry_at) - now()) * 1000)::float8 as ms
         from messaging.parked_key where consumer = ? and dead_letter_id is null`,
      [consumer],
    );
    return row?.ms === null || row?.ms === undefined ? undefined : Math.max(0, row.ms);
  }

  async list(em: EntityManager, filter: { consumer?: string | undefined; error?: string | undefined }, limit: number, offset: number): Promise<{ items: ParkedKey[]; total: number }> {
    const where = 'where k.dead_letter_id is not null and (?::text is null or k.consumer = ?) and (?::text is null or k.error = ?)';
    const parameters = [filter.consumer ?? null, filter.consumer ?? null, filter.error ?? null, filter.error ?? null];
    const rows = await em.execute<Array<{ consumer: string; message_key: string; dead_letter_id: number; error: string; parked_at: string | Date; messages: number; oldest: string | Date | null }>>(
      `select k.consumer, k.message_key, k.dead_letter_id, k.error, k.parked_at,
              (select count(*)::int from messaging.parked_message m where m.consumer = k.consumer and m.message_key = k.message_key) as messages,
              (select min(m.parked_at) from messaging.parked_message m where m.consumer = k.consumer and m.message_key = k.message_key) as oldest
         from messaging.parked_key k ${where}
        order by k.parked_at, k.consumer, k.message_key limit ? offset ?`,
      [...parameters, limit, offset],
    );
    const [count] = await em.execute<Array<{ total: number }>>(`select count(*)::int as total from messaging.parked_key k ${where}`, parameters);
    return {
      items: rows.map((row) => ({
        consumer: row.consumer,
        key: row.message_key,
        deadLetterId: Number(row.dead_letter_id),
        error: row.error,
        parkedAt: isoOf(row.parked_at),
        parkedMessages: row.messages,
        oldestParkedAt: row.oldest === null ? null : isoOf(row.oldest),
      })),
      total: count?.total ?? 0,
    };
  }

  /** The dead letters parking the keys that match: one key, or every key of the group sharing an error. */
  async lettersParking(em: EntityManager, consumer: string, match: { key: string } | { error: string }, limit: number): Promise<number[]> {
    const rows = 'key' in match
      ? await em.execute<Array<{ id: number }>>('select dead_letter_id as id from messaging.parked_key where consumer = ? and message_key = ? and dead_letter_id is not null', [consumer, match.key])
      : await em.execute<Array<{ id: number }>>(
        'select dead_letter_id as id from messaging.parked_key where consumer = ? and error = ? and dead_letter_id is not null order by parked_at limit ?', [consumer, match.error, limit],
      );
    return rows.map((row) => Number(row.id));
  }

  /** Per consumer group: parked keys, parked messages and the age of the oldest, and held keys, for the metrics. */
  async status(em: EntityManager): Promise<ParkingStatus[]> {
    const rows = await em.execute<Array<{ consumer: string; keys: number; messages: number; oldest_age: number | null; held: number }>>(
      `select k.consumer,
              (count(*) filter (where k.dead_letter_id is not null))::int as keys,
              coalesce(sum(m.n) filter (where k.dead_letter_id is not null), 0)::int as messages,
              extract(epoch from now() - min(k.parked_at) filter (where k.dead_letter_id is not null))::float8 as oldest_age,
              (count(*) filter (where k.dead_letter_id is null))::int as held
         from messaging.parked_key k
         left join (select consumer, message_key, count(*) as n from messaging.parked_message group by 1, 2) m
           on m.consumer = k.consumer and m.message_key = k.message_key
        group by k.consumer`,
    );
    return rows.map((row) => ({ consumer: row.consumer, keys: row.keys, messages: row.messages, oldestAgeSeconds: row.oldest_age ?? 0, heldKeys: row.held }));
  }
}
