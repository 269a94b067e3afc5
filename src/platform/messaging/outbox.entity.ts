import { BigIntType, EntitySchema } from '@mikro-orm/postgresql';
import type { WireHeaders } from './envelope.ts';

/** One row of `messaging.outbox`: an event committed with the state change that caused it. */
export class OutboxMessage {
  id?: number;
  eventId!: string;
  topic!: string;
  messageKey!: string;
  eventType!: string;
  eventVersion!: number;
  source!: string;
  headers!: WireHeaders;
  /** Copied from the headers so the journey finds the events an event caused by index. */
  causationId: string | null = null;
  correlationId: string | null = null;
  payload!: unknown;
  createdAt!: Date;
  publishedAt: Date | null = null;
  attempts = 0;
  lastError: string | null = null;
}

export const OutboxMessageEntity = new EntitySchema<OutboxMessage>({
  class: OutboxMessage,
  schema: 'messaging',
  tableName: 'outbox',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    eventId: { type: 'uuid', fieldName: 'event_id' },
    topic: { type: 'text' },
    messageKey: { type: 'text', fieldName: 'message_key' },
    eventType: { type: 'text', fieldName: 'event_type' },
    eventVersion: { type: 'integer', fieldName: 'event_version' },
    source: { type: 'text' },
    headers: { type: 'json' },
    causationId: { type: 'uuid', fieldName: 'causation_id', nullable: true },
    correlationId: { type: 'uuid', fieldName: 'correlation_id', nullable: true },
    payload: { type: 'json' },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    publishedAt: { type: 'datetime', fieldName: 'published_at', nullable: true },
    attempts: { type: 'integer' },
    lastError: { type: 'text', fieldName: 'last_error', nullable: true },
  },
});
