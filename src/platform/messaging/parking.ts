import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { isoOf } from '../db/raw-time.ts';
import { transactionally } from '../db/transaction.ts';
import type { WireHeaders } from './envelope.ts';
import type { ReceivedMessage } from './transports/transport.ts';

/**
 * Parked keys (`messaging.parked_key`) and the messages waiting behind them
 * (`messaging.parked_message`). A key is parked for one consumer group when one of its messages
 * is dead-lettered there (DeadLetters.record); the group then stores the key's later messages
 * instead of handling them, in arrival order, until the dead letter is redriven or skipped and the
 * group drains them.
 *
 * Locks make parking and draining agree: whoever parks a message holds the key's row FOR SHARE
 * while it inserts, and the drain holds it FOR UPDATE while it takes a message or deletes the
 * key; so a message is either parked before the drain looks, or sees the key released.
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
  keys: number;
  messages: number;
  oldestAgeSeconds: number;
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
   * The key's oldest parked message while `releasedBy` is still the dead letter that parks it;
   * `released` when no message is left (the key is then unparked); `held` when the key is parked
   * by another letter (the one released was not the last), or is not parked at all.
   */
  async next(consumer: string, key: string, releasedBy: number): Promise<{ message: ParkedMessageRow } | 'released' | 'held'> {
    return transactionally(this.orm.em, async (tx) => {
      if (!(await this.lockParkedBy(tx, consumer, key, releasedBy))) return 'held';
      const [message] = await tx.execute<ParkedMessageRow[]>(
        'select * from messaging.parked_message where consumer = ? and message_key = ? order by id limit 1', [consumer, key],
      );
      if (message !== undefined) return { message };
      await tx.execute('delete from messaging.parked_key where consumer = ? and message_key = ?', [consumer, key]);
      return 'released';
    });
  }

  /**
   * In a drain step's transaction: takes the parked message off the queue, holding the key. False
   * when it is gone already (another member drained it) or the key is no longer parked by
   * `releasedBy`: the step then does nothing.
   */
  async take(tx: EntityManager, consumer: string, key: string, releasedBy: number, messageId: number): Promise<boolean> {
    if (!(await this.lockParkedBy(tx, consumer, key, releasedBy))) return false;
    const deleted = await tx.execute<Array<{ id: number }>>('delete from messaging.parked_message where id = ? returning id', [messageId]);
    return deleted.length === 1;
  }

  /** Locks the key's row for the transaction; true while `releasedBy` is the dead letter parking it. */
  private async lockParkedBy(tx: EntityManager, consumer: string, key: string, releasedBy: number): Promise<boolean> {
    const [parked] = await tx.execute<Array<{ dead_letter_id: number }>>(
      'select dead_letter_id from messaging.parked_key where consumer = ? and message_key = ? for update', [consumer, key],
    );
    return parked !== undefined && Number(parked.dead_letter_id) === releasedBy;
  }

  async list(em: EntityManager, filter: { consumer?: string | undefined; error?: string | undefined }, limit: number, offset: number): Promise<{ items: ParkedKey[]; total: number }> {
    const where = 'where (?::text is null or k.consumer = ?) and (?::text is null or k.error = ?)';
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
      ? await em.execute<Array<{ id: number }>>('select dead_letter_id as id from messaging.parked_key where consumer = ? and message_key = ?', [consumer, match.key])
      : await em.execute<Array<{ id: number }>>(
        'select dead_letter_id as id from messaging.parked_key where consumer = ? and error = ? order by parked_at limit ?', [consumer, match.error, limit],
      );
    return rows.map((row) => Number(row.id));
  }

  /** Per consumer group: parked keys, parked messages and the age of the oldest, for the metrics. */
  async status(em: EntityManager): Promise<ParkingStatus[]> {
    const rows = await em.execute<Array<{ consumer: string; keys: number; messages: number; oldest_age: number | null }>>(
      `select k.consumer, count(*)::int as keys,
              coalesce(sum(m.n), 0)::int as messages,
              extract(epoch from now() - min(k.parked_at))::float8 as oldest_age
         from messaging.parked_key k
         left join (select consumer, message_key, count(*) as n from messaging.parked_message group by 1, 2) m
           on m.consumer = k.consumer and m.message_key = k.message_key
        group by k.consumer`,
    );
    return rows.map((row) => ({ consumer: row.consumer, keys: row.keys, messages: row.messages, oldestAgeSeconds: row.oldest_age ?? 0 }));
  }
}
