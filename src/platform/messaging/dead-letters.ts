import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { IdGenerator } from '../clock.ts';
import { isoOf } from '../db/raw-time.ts';
import { transactionally } from '../db/transaction.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { TopicNames } from './contract.ts';
import { HEADERS, type WireHeaders } from './envelope.ts';
import type { OutboxWriter } from './outbox-writer.ts';
import type { ReceivedMessage } from './transports/transport.ts';

export interface DeadLetter {
  id: number;
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: WireHeaders;
  payload: string | null;
  error: string;
  /** The error with its ids and numbers replaced: letters failing the same way share it. */
  fingerprint: string;
  attempts: number;
  /** From the message's headers; null for a message that had none (a poison message). */
  eventId: string | null;
  eventType: string | null;
  createdAt: string;
  redrivenAt: string | null;
  skippedAt: string | null;
}

/** Unsettled letters of one consumer group failing the same way. */
export interface DeadLetterGroup {
  consumer: string;
  topic: string;
  fingerprint: string;
  count: number;
  /** Keys these letters park: their later messages wait behind them. */
  parkedKeys: number;
  firstSeen: string;
  lastSeen: string;
  sampleError: string;
  sampleId: number;
}

export interface DeadLetterFilter {
  consumer?: string | undefined;
  fingerprint?: string | undefined;
  /** Only letters neither redriven nor skipped. */
  unsettled?: boolean | undefined;
}

interface DeadLetterRow {
  id: number;
  consumer: string;
  topic: string;
  partition: number;
  message_offset: string;
  message_key: string | null;
  headers: WireHeaders;
  payload: string | null;
  error: string;
  fingerprint: string;
  attempts: number;
  // MikroORM leaves timestamps of raw queries as PostgreSQL's text.
  created_at: string | Date;
  redriven_at: string | Date | null;
  skipped_at: string | Date | null;
}

/**
 * The dead-letter table and the `<topic>.dlq` topic. Recording one writes the row and the DLQ
 * message (through the outbox) in one transaction; redriving one sends the message back to its
 * topic addressed to the one consumer group that failed it.
 */
export class DeadLetters {
  constructor(
    private readonly orm: MikroORM,
    private readonly outbox: OutboxWriter,
    private readonly topics: TopicNames,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Records the dead letter and its DLQ message, and parks the message's key for `consumer`: the
   * group's later messages of the key wait until an operator redrives or skips this letter.
   */
  async record(consumer: string, message: ReceivedMessage, error: string, attempts: number): Promise<void> {
    await transactionally(this.orm.em, (tx) => this.recordIn(tx, consumer, message, error, attempts));
  }

  /**
   * record(), in the caller's transaction. A message taken from the key's parked queue
   * (`parkedMessageId`: a held key's retry gave up) leaves that queue, and the key stays parked,
   * now behind this letter.
   */
  async recordIn(tx: EntityManager, consumer: string, message: ReceivedMessage, error: string, attempts: number, parkedMessageId?: number): Promise<void> {
    const [letter] = await tx.execute<Array<{ id: number }>>(
      `insert into messaging.dead_letter
         (consumer, topic, partition, message_offset, message_key, headers, payload, error, attempts)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      [consumer, message.topic, message.partition, message.offset, message.key, JSON.stringify(message.headers), message.value, error, attempts],
    );
    if (message.key !== null && message.key !== '') {
      await tx.execute(
        `insert into messaging.parked_key (consumer, message_key, dead_letter_id, error) values (?, ?, ?, ?)
         on conflict (consumer, message_key) do update set dead_letter_id = excluded.dead_letter_id, error = excluded.error, retry_at = null`,
        [consumer, message.key, letter!.id, error.slice(0, 2000)],
      );
    }
    if (parkedMessageId !== undefined) await tx.execute('delete from messaging.parked_message where id = ?', [parkedMessageId]);
    this.outbox.addRaw(tx, {
      topic: this.topics.deadLetterOf(message.topic),
      key: message.key ?? '',
      eventId: this.ids.uuid(),
      eventType: message.headers[HEADERS.type] ?? 'unknown',
      eventVersion: Number(message.headers[HEADERS.dataversion] ?? 1) || 1,
      source: message.headers[HEADERS.source] ?? 'unknown',
      headers: {
        ...message.headers,
        [HEADERS.deadLetterError]: error.slice(0, 1000),
        [HEADERS.deadLetterConsumer]: consumer,
        [HEADERS.deadLetterTopic]: message.topic,
      },
      payload: jsonOrText(message.value),
    });
  }

  async list(filter: DeadLetterFilter, limit: number, offset: number): Promise<{ items: DeadLetter[]; total: number }> {
    const where = `where (?::text is null or consumer = ?) and (?::text is null or fingerprint = ?)
                     and (not ?::boolean or (redriven_at is null and skipped_at is null))`;
    const parameters = [filter.consumer ?? null, filter.consumer ?? null, filter.fingerprint ?? null, filter.fingerprint ?? null, filter.unsettled ?? false];
    // One statement, so the page and its total see the same letters while others arrive.
    const rows = await this.orm.em.fork().execute<Array<DeadLetterRow & { total: number }>>(
      `select d.*, counted.total
         from (select count(*)::int as total from messaging.dead_letter ${where}) counted
         left join lateral (select * from messaging.dead_letter ${where} order by id desc limit ? offset ?) d on true`,
      [...parameters, ...parameters, limit, offset],
    );
    const total = rows[0]?.total ?? 0;
    // A page past the end is the one row of the count with no letter joined.
    return { items: rows.filter((row) => row.id !== null).map(toDeadLetter), total };
  }

  async get(id: number): Promise<DeadLetter> {
    const [row] = await this.orm.em.fork().execute<DeadLetterRow[]>('select * from messaging.dead_letter where id = ?', [id]);
    if (row === undefined) throw new NotFoundError('dead-letter', `No dead letter with id ${id}`);
    return toDeadLetter(row);
  }

  /** Unsettled letters grouped by consumer group, topic and error fingerprint; the largest groups first. */
  async groups(): Promise<DeadLetterGroup[]> {
    const rows = await this.orm.em.fork().execute<Array<{
      consumer: string; topic: string; fingerprint: string; count: number; parked_keys: number;
      first_seen: string | Date; last_seen: string | Date; sample_error: string; sample_id: number;
    }>>(
      `select d.consumer, d.topic, d.fingerprint, count(*)::int as count, count(k.message_key)::int as parked_keys,
              min(d.created_at) as first_seen, max(d.created_at) as last_seen,
              (array_agg(d.error order by d.id desc))[1] as sample_error, max(d.id) as sample_id
         from messaging.dead_letter d
         left join messaging.parked_key k on k.dead_letter_id = d.id
        where d.redriven_at is null and d.skipped_at is null
        group by d.consumer, d.topic, d.fingerprint
        order by count(*) desc, max(d.created_at) desc`,
    );
    return rows.map((row) => ({
      consumer: row.consumer, topic: row.topic, fingerprint: row.fingerprint, count: row.count, parkedKeys: row.parked_keys,
      firstSeen: isoOf(row.first_seen), lastSeen: isoOf(row.last_seen), sampleError: row.sample_error, sampleId: Number(row.sample_id),
    }));
  }

  /** The unsettled letters of a consumer group sharing a fingerprint, oldest first. */
  async idsFailingAlike(tx: EntityManager, consumer: string, fingerprint: string, limit: number): Promise<number[]> {
    const rows = await tx.execute<Array<{ id: number }>>(
      `select id from messaging.dead_letter where consumer = ? and fingerprint = ? and redriven_at is null and skipped_at is null
        order by id limit ?`,
      [consumer, fingerprint, limit],
    );
    return rows.map((row) => Number(row.id));
  }

  /**
   * Publishes the dead letter again to its original topic for its consumer group only, with
   * `payload` replacing the stored value when given (a fixed message), in the caller's
   * transaction. Handled, it releases the key it parked: the key's parked messages follow it.
   */
  async redrive(tx: EntityManager, id: number, action: OperatorAction & { payload?: unknown }): Promise<DeadLetter> {
    const row = await this.lockUnsettled(tx, id);
    const headers: WireHeaders = { ...row.headers, [HEADERS.redriveConsumer]: row.consumer, [HEADERS.deadLetterId]: String(row.id) };
    delete headers[HEADERS.parkRelease];
    if (!/^[0-9a-f-]{36}$/i.test(headers[HEADERS.id] ?? '')) headers[HEADERS.id] = this.ids.uuid();
    this.outbox.addRaw(tx, {
      ...this.addressOf(row, headers),
      payload: action.payload === undefined ? jsonOrText(row.payload) : action.payload,
    });
    const [updated] = await tx.execute<DeadLetterRow[]>('update messaging.dead_letter set redriven_at = now() where id = ? returning *', [id]);
    await audit(tx, action, 'dead-letter.redrive', { deadLetterId: id, consumer: row.consumer, key: row.message_key, fixedPayload: action.payload !== undefined });
    return toDeadLetter(updated!);
  }

  /**
   * Gives the dead letter up for good (recorded, with who and why) and releases the key it parked:
   * a release message on the key's stream, for its group only, so the key's parked messages are
   * handled in order behind everything the group already took.
   */
  async skip(tx: EntityManager, id: number, action: OperatorAction): Promise<DeadLetter> {
    const row = await this.lockUnsettled(tx, id);
    const headers: WireHeaders = {
      [HEADERS.id]: this.ids.uuid(),
      [HEADERS.redriveConsumer]: row.consumer,
      [HEADERS.deadLetterId]: String(row.id),
      [HEADERS.parkRelease]: 'skip',
    };
    this.outbox.addRaw(tx, { ...this.addressOf(row, headers), payload: {} });
    const [updated] = await tx.execute<DeadLetterRow[]>('update messaging.dead_letter set skipped_at = now() where id = ? returning *', [id]);
    await audit(tx, action, 'dead-letter.skip', { deadLetterId: id, consumer: row.consumer, key: row.message_key });
    return toDeadLetter(updated!);
  }

  private async lockUnsettled(tx: EntityManager, id: number): Promise<DeadLetterRow> {
    const [row] = await tx.execute<DeadLetterRow[]>('select * from messaging.dead_letter where id = ? for update', [id]);
    if (row === undefined) throw new NotFoundError('dead-letter', `No dead letter with id ${id}`);
    if (row.redriven_at !== null) {
      throw new ConflictError('dead-letter-already-redriven', `Dead letter ${id} was redriven at ${isoOf(row.redriven_at)}`);
    }
    if (row.skipped_at !== null) {
      throw new ConflictError('dead-letter-already-skipped', `Dead letter ${id} was skipped at ${isoOf(row.skipped_at)}`);
    }
    return row;
  }

  private addressOf(row: DeadLetterRow, headers: WireHeaders) {
    return {
      topic: row.topic,
      key: row.message_key ?? '',
      eventId: this.ids.uuid(),
      eventType: headers[HEADERS.type] ?? 'unknown',
      eventVersion: Number(headers[HEADERS.dataversion] ?? 1) || 1,
      source: headers[HEADERS.source] ?? 'unknown',
      headers,
    };
  }
}

/** Who acts, and why: every operator action is written to `messaging.audit_log` with it. */
export interface OperatorAction {
  actor: string;
  reason?: string | undefined;
}

export async function audit(tx: EntityManager, action: OperatorAction, what: string, target: Record<string, unknown>): Promise<void> {
  await tx.execute('insert into messaging.audit_log (actor, action, target, reason) values (?, ?, ?, ?)', [action.actor, what, JSON.stringify(target), action.reason ?? null]);
}

/** A stored message value parsed; `whenNotJson` for a value that is not JSON (a poison message's). */
export function parsedValue(value: string | null, whenNotJson: 'text' | 'null'): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return whenNotJson === 'text' ? value : null;
  }
}

function jsonOrText(value: string | null): unknown {
  return parsedValue(value, 'text');
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    consumer: row.consumer,
    topic: row.topic,
    partition: row.partition,
    offset: row.message_offset,
    key: row.message_key,
    headers: row.headers,
    payload: row.payload,
    error: row.error,
    fingerprint: row.fingerprint,
    attempts: row.attempts,
    eventId: row.headers[HEADERS.id] ?? null,
    eventType: row.headers[HEADERS.type] ?? null,
    createdAt: isoOf(row.created_at),
    redrivenAt: row.redriven_at === null ? null : isoOf(row.redriven_at),
    skippedAt: row.skipped_at === null ? null : isoOf(row.skipped_at),
  };
}
