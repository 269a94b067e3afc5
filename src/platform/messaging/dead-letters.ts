import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { IdGenerator } from '../clock.ts';
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
  attempts: number;
  createdAt: string;
  redrivenAt: string | null;
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
  attempts: number;
  // MikroORM leaves timestamps of raw queries as PostgreSQL's text.
  created_at: string | Date;
  redriven_at: string | Date | null;
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

  async record(consumer: string, message: ReceivedMessage, error: string, attempts: number): Promise<void> {
    await transactionally(this.orm.em, async (tx) => {
      await tx.execute(
        `insert into messaging.dead_letter
           (consumer, topic, partition, message_offset, message_key, headers, payload, error, attempts)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [consumer, message.topic, message.partition, message.offset, message.key, JSON.stringify(message.headers), message.value, error, attempts],
      );
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
    });
  }

  async list(limit: number, offset: number): Promise<{ items: DeadLetter[]; total: number }> {
    const em = this.orm.em.fork();
    const rows = await em.execute<DeadLetterRow[]>(
      'select * from messaging.dead_letter order by id desc limit ? offset ?',
      [limit, offset],
    );
    const [count] = await em.execute<Array<{ total: number }>>('select count(*)::int as total from messaging.dead_letter');
    return { items: rows.map(toDeadLetter), total: count?.total ?? 0 };
  }

  /**
   * Publishes the dead letter again to its original topic for its consumer group only, with
   * `payload` replacing the stored value when given (a fixed message), in the caller's transaction.
   */
  async redrive(tx: EntityManager, id: number, payload?: unknown): Promise<DeadLetter> {
    const [row] = await tx.execute<DeadLetterRow[]>('select * from messaging.dead_letter where id = ? for update', [id]);
    if (row === undefined) throw new NotFoundError('dead-letter', `No dead letter with id ${id}`);
    if (row.redriven_at !== null) {
      throw new ConflictError('dead-letter-already-redriven', `Dead letter ${id} was redriven at ${iso(row.redriven_at)}`);
    }
    const headers: WireHeaders = { ...row.headers, [HEADERS.redriveConsumer]: row.consumer };
    if (!/^[0-9a-f-]{36}$/i.test(headers[HEADERS.id] ?? '')) headers[HEADERS.id] = this.ids.uuid();
    this.outbox.addRaw(tx, {
      topic: row.topic,
      key: row.message_key ?? '',
      eventId: this.ids.uuid(),
      eventType: headers[HEADERS.type] ?? 'unknown',
      eventVersion: Number(headers[HEADERS.dataversion] ?? 1) || 1,
      source: headers[HEADERS.source] ?? 'unknown',
      headers,
      payload: payload === undefined ? jsonOrText(row.payload) : payload,
    });
    const [updated] = await tx.execute<DeadLetterRow[]>(
      'update messaging.dead_letter set redriven_at = now() where id = ? returning *',
      [id],
    );
    return toDeadLetter(updated!);
  }
}

function jsonOrText(value: string | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
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
    attempts: row.attempts,
    createdAt: iso(row.created_at),
    redrivenAt: row.redriven_at === null ? null : iso(row.redriven_at),
  };
}

function iso(value: string | Date): string {
  return new Date(value).toISOString();
}
