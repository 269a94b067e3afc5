import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { readInSnapshot } from '../db/snapshot.ts';
import { isoOf } from '../db/raw-time.ts';
import { NotFoundError } from '../errors.ts';
import { HEADERS, type WireHeaders } from './envelope.ts';
import type { EventCatalog } from './event-catalog.ts';

/** A journey shows at most this many events: a key's latest, or an event and what it caused. */
export const JOURNEY_LIMIT = 200;

export interface JourneyEvent {
  eventId: string;
  type: string;
  topic: string;
  key: string;
  /** The module that wrote it. */
  source: string;
  createdAt: string;
  publishedAt: string | null;
  traceId: string | null;
  causationId: string | null;
  correlationId: string | null;
  handledBy: Array<{ consumer: string; handledAt: string }>;
  caused: Array<{ eventId: string; type: string; topic: string; createdAt: string }>;
  deadLetters: Array<{ id: number; consumer: string; error: string; createdAt: string; redrivenAt: string | null; skippedAt: string | null }>;
  parked: Array<{ consumer: string; parkedAt: string }>;
}

interface OutboxRow {
  event_id: string;
  event_type: string;
  topic: string;
  message_key: string;
  source: string;
  headers: WireHeaders;
  created_at: string | Date;
  published_at: string | Date | null;
  causation_id: string | null;
  correlation_id: string | null;
}

const EVENT_COLUMNS = 'event_id, event_type, topic, message_key, source, headers, created_at, published_at, causation_id, correlation_id';
const TRACEPARENT = /^00-([0-9a-f]{32})-/;

/**
 * An event's way through the platform, read from the rows every step leaves: its outbox row
 * (written, published), the inbox rows of the groups that handled it, the outbox rows of the
 * events its handling wrote (their causation id), and its dead letters and parked copies.
 * Only events still in the outbox (RELAY_PUBLISHED_RETENTION_HOURS) can be found.
 */
export class Journeys {
  constructor(
    private readonly orm: MikroORM,
    private readonly catalog: EventCatalog,
  ) {}

  /**
   * The event's whole chain, in the order written: every event sharing its correlation id (what the
   * same request or first event set off), each naming the event that caused it.
   */
  async ofEvent(eventId: string): Promise<JourneyEvent[]> {
    return readInSnapshot(this.orm, async (em) => {
      const rows = await em.execute<OutboxRow[]>(
      `select ${EVENT_COLUMNS} from messaging.outbox
        where event_id = ? or correlation_id = (select correlation_id from messaging.outbox where event_id = ?)
        order by id limit ?`,
      [eventId, eventId, JOURNEY_LIMIT],
      );
      if (rows.length === 0) throw new NotFoundError('event', `No event ${eventId} in the outbox (it may be older than its retention)`);
      return this.detailed(em, rows);
    });
  }

  /** The latest events of one key (an account id, a payment id), oldest first; not the copies dead letters and redrives forward. */
  async ofKey(key: string): Promise<JourneyEvent[]> {
    return readInSnapshot(this.orm, async (em) => {
      const rows = await em.execute<OutboxRow[]>(
        `select * from (select ${EVENT_COLUMNS}, id from messaging.outbox
                          where message_key = ? and event_id::text = headers->>'${HEADERS.id}'
                          order by id desc limit ?) latest
          order by id`,
        [key, JOURNEY_LIMIT],
      );
      if (rows.length === 0) throw new NotFoundError('event', `No event with key ${key} in the outbox (they may be older than their retention)`);
      return this.detailed(em, rows);
    });
  }

  /** In the snapshot the events were read in: an event written meanwhile is in neither or both. */
  private async detailed(em: EntityManager, rows: OutboxRow[]): Promise<JourneyEvent[]> {
    const ids = `{${rows.map((row) => row.event_id).join(',')}}`;
    const groups = `{${this.catalog.groups.map(({ group }) => `"${group}"`).join(',')}}`;
    const [handled, caused, letters, parked] = await Promise.all([
      em.execute<Array<{ event_id: string; consumer: string; handled_at: string | Date }>>(
        `select event_id, consumer, handled_at from messaging.inbox where consumer = any(?::text[]) and event_id = any(?::uuid[]) order by handled_at`,
        [groups, ids],
      ),
      em.execute<Array<{ causation_id: string; event_id: string; event_type: string; topic: string; created_at: string | Date }>>(
        `select causation_id, event_id, event_type, topic, created_at from messaging.outbox where causation_id = any(?::uuid[]) order by id`,
        [ids],
      ),
      em.execute<Array<{ event_id: string; id: number; consumer: string; error: string; created_at: string | Date; redriven_at: string | Date | null; skipped_at: string | Date | null }>>(
        `select headers->>'${HEADERS.id}' as event_id, id, consumer, error, created_at, redriven_at, skipped_at
           from messaging.dead_letter where headers->>'${HEADERS.id}' = any(?::text[]) order by id`,
        [ids],
      ),
      em.execute<Array<{ event_id: string; consumer: string; parked_at: string | Date }>>(
        `select headers->>'${HEADERS.id}' as event_id, consumer, parked_at
           from messaging.parked_message where headers->>'${HEADERS.id}' = any(?::text[]) order by id`,
        [ids],
      ),
    ]);
    return rows.map((row) => ({
      eventId: row.event_id,
      type: row.event_type,
      topic: row.topic,
      key: row.message_key,
      source: row.source,
      createdAt: isoOf(row.created_at),
      publishedAt: row.published_at === null ? null : isoOf(row.published_at),
      traceId: TRACEPARENT.exec(row.headers[HEADERS.traceparent] ?? '')?.[1] ?? null,
      causationId: row.causation_id,
      correlationId: row.correlation_id,
      handledBy: handled.filter((step) => step.event_id === row.event_id).map((step) => ({ consumer: step.consumer, handledAt: isoOf(step.handled_at) })),
      caused: caused.filter((next) => next.causation_id === row.event_id)
        .map((next) => ({ eventId: next.event_id, type: next.event_type, topic: next.topic, createdAt: isoOf(next.created_at) })),
      deadLetters: letters.filter((letter) => letter.event_id === row.event_id).map((letter) => ({
        id: Number(letter.id), consumer: letter.consumer, error: letter.error, createdAt: isoOf(letter.created_at),
        redrivenAt: letter.redriven_at === null ? null : isoOf(letter.redriven_at),
        skippedAt: letter.skipped_at === null ? null : isoOf(letter.skipped_at),
      })),
      parked: parked.filter((copy) => copy.event_id === row.event_id).map((copy) => ({ consumer: copy.consumer, parkedAt: isoOf(copy.parked_at) })),
    }));
  }
}
