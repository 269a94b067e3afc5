import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Type, type Static } from 'typebox';
import { defineEvent } from '../../src/platform/messaging/contract.ts';
import { envelopeHeaders, type WireHeaders } from '../../src/platform/messaging/envelope.ts';

/**
 * The event every relay and latency figure moves: shaped like `payment.requested` (a few ids, an
 * amount, a currency, a short text), keyed by account so that per-key order matters.
 */
export const BenchEvent = defineEvent({
  type: 'bench.payment.requested',
  version: 1,
  source: 'bench',
  description: 'Benchmark event shaped like payment.requested. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    transactionType: Type.String(),
    description: Type.String(),
    requestedAt: Type.String({ format: 'date-time' }),
  }),
});

export type BenchEventData = Static<typeof BenchEvent.schema>;

/** Accounts the generated events are spread over: many keys, as a busy system has. */
export const BENCH_KEYS = 1000;

export interface GeneratedEvent {
  eventId: string;
  key: string;
  data: BenchEventData;
  headers: WireHeaders;
}

/** The n-th generated event: the same content for the relay, the raw produce ceiling and the peer. */
export function generateEvent(n: number, now = new Date()): GeneratedEvent {
  const accountId = (n % BENCH_KEYS) + 1;
  const data: BenchEventData = {
    paymentId: n + 1,
    accountId,
    amount: 10 + (n % 9000) / 100,
    currency: 'EUR',
    transactionType: 'STANDARD',
    description: `bench payment ${n + 1} of account ${accountId}`,
    requestedAt: now.toISOString(),
  };
  const eventId = randomUUID();
  const key = String(accountId);
  const headers = envelopeHeaders({
    specversion: '1.0', id: eventId, type: BenchEvent.type, source: BenchEvent.source, time: now.toISOString(),
    subject: key, datacontenttype: 'application/json', dataversion: BenchEvent.version,
    // Each its own trace, as payments requested by different callers are.
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
  });
  return { eventId, key, data, headers };
}

const FILL_CHUNK = 5000;

/**
 * Inserts `count` committed, unpublished rows into messaging.outbox exactly as OutboxWriter would
 * have (same columns, CloudEvents headers, JSON payload), in chunks of one multi-row statement.
 */
export async function fillOutbox(pool: pg.Pool, topic: string, count: number, onProgress: (done: number) => void = () => {}): Promise<void> {
  for (let start = 0; start < count; start += FILL_CHUNK) {
    const events = Array.from({ length: Math.min(FILL_CHUNK, count - start) }, (_, i) => generateEvent(start + i));
    await pool.query(
      `insert into messaging.outbox (event_id, topic, message_key, event_type, event_version, source, headers, payload, created_at)
       select e.event_id, $1, e.message_key, $2, $3, $4, e.headers, e.payload, now()
         from unnest($5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[]) as e(event_id, message_key, headers, payload)`,
      [
        topic, BenchEvent.type, BenchEvent.version, BenchEvent.source,
        events.map((event) => event.eventId),
        events.map((event) => event.key),
        events.map((event) => JSON.stringify(event.headers)),
        events.map((event) => JSON.stringify(event.data)),
      ],
    );
    onProgress(start + events.length);
  }
  await pool.query('analyze messaging.outbox');
}

/**
 * Commits one generated event as its own transaction (one INSERT, autocommitted): the row
 * OutboxWriter would write, from a pool of the caller's, so a load generator does not queue on
 * the platform's own connections. Resolves with the event id once the commit returned.
 */
export async function commitOutboxEvent(pool: pg.Pool, topic: string, n: number): Promise<string> {
  const event = generateEvent(n);
  await pool.query({
    name: 'bench-commit-event',
    text: `insert into messaging.outbox (event_id, topic, message_key, event_type, event_version, source, headers, payload, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
    values: [event.eventId, topic, event.key, BenchEvent.type, BenchEvent.version, BenchEvent.source, JSON.stringify(event.headers), JSON.stringify(event.data)],
  });
  return event.eventId;
}
