import type { EntityManager } from '@mikro-orm/postgresql';
import type { Static, TSchema } from 'typebox';
import type { Clock, IdGenerator } from '../clock.ts';
import { createSpan, type MessagingSystem } from '../observability/messaging-spans.ts';
import { currentTrace, newSpanId, toTraceparent } from '../observability/trace-context.ts';
import type { EventContract, TopicNames } from './contract.ts';
import { envelopeHeaders, HEADERS, type EventEnvelope, type WireHeaders } from './envelope.ts';
import { OutboxMessage } from './outbox.entity.ts';

export interface RawOutboxEntry {
  topic: string;
  key: string;
  eventId: string;
  eventType: string;
  eventVersion: number;
  source: string;
  headers: WireHeaders;
  payload: unknown;
}

/**
 * Adds events to the outbox through the caller's EntityManager, so they are inserted by the same
 * flush, in the same transaction, as the state change that caused them: both commit or neither.
 */
export class OutboxWriter {
  constructor(
    private readonly topics: TopicNames,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly system: MessagingSystem,
  ) {}

  add<S extends TSchema>(em: EntityManager, contract: EventContract<S>, data: Static<S>): EventEnvelope<Static<S>> {
    const trace = currentTrace();
    const envelope: EventEnvelope<Static<S>> = {
      specversion: '1.0',
      id: this.ids.uuid(),
      type: contract.type,
      source: contract.source,
      time: this.clock.now().toISOString(),
      subject: String(contract.keyOf(data)),
      datacontenttype: 'application/json',
      dataversion: contract.version,
      data,
    };
    const topic = this.topics.of(contract);
    const created = createSpan(this.system, { topic, key: envelope.subject, eventId: envelope.id, eventType: envelope.type });
    if (created !== undefined) envelope.traceparent = created;
    if (trace !== undefined) {
      envelope.traceparent ??= toTraceparent({ ...trace, spanId: newSpanId() });
      if (trace.causationId !== undefined) envelope.causationid = trace.causationId;
      trace.correlationId ??= envelope.id;
    }
    envelope.correlationid = trace?.correlationId ?? envelope.id;
    this.addRaw(em, {
      topic,
      key: envelope.subject,
      eventId: envelope.id,
      eventType: envelope.type,
      eventVersion: envelope.dataversion,
      source: envelope.source,
      headers: envelopeHeaders(envelope),
      payload: data,
    });
    return envelope;
  }

  /** For platform plumbing (dead letters, redrive) that forwards an existing message. */
  addRaw(em: EntityManager, entry: RawOutboxEntry): void {
    const message = new OutboxMessage();
    message.eventId = entry.eventId;
    message.topic = entry.topic;
    message.messageKey = entry.key;
    message.eventType = entry.eventType;
    message.eventVersion = entry.eventVersion;
    message.source = entry.source;
    message.headers = entry.headers;
    // Only the event's own row: a dead letter's or a redrive's copy forwards it and caused nothing.
    const ownRow = entry.headers[HEADERS.id] === entry.eventId;
    message.causationId = ownRow ? (entry.headers[HEADERS.causationid] ?? null) : null;
    message.correlationId = ownRow ? (entry.headers[HEADERS.correlationid] ?? null) : null;
    message.payload = entry.payload;
    message.createdAt = this.clock.now();
    em.persist(message);
  }
}
