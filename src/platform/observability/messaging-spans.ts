import { context, SpanKind, type Attributes, type Link } from '@opentelemetry/api';
import {
  ATTR_CLOUDEVENTS_EVENT_ID,
  ATTR_CLOUDEVENTS_EVENT_TYPE,
  ATTR_KAFKA_MESSAGE_KEY,
  ATTR_KAFKA_OFFSET,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
} from '@opentelemetry/semantic-conventions/incubating';
import { contextOf, endWithError, recordingSpans, runInSpan, runInTrace, spanContextOf, traceFrom, tracer, traceparentOf, type TraceContext } from './trace-context.ts';

/**
 * Spans of OpenTelemetry's messaging semantic conventions, written by the platform itself because
 * an outbox sits between the producer and the broker: *create* when a use case writes an event to
 * the outbox (its context travels in the event's `traceparent`), *send* when the relay publishes
 * it (linked to the create spans it carries), *process* per consumer group and attempt (a child of
 * the create span, wherever and whenever it runs). Every function here calls OpenTelemetry only
 * while spans are recorded.
 */

/** `messaging.system.name`: `kafka`, or `local` for the in-process transport (not a registered value). */
export type MessagingSystem = 'kafka' | 'local';

/** Not a convention: which delivery of the message this is to the consumer group (1 = first). */
export const ATTR_MESSAGING_ATTEMPT = 'messaging.process.attempt';
/** Not a convention: what a link of a process span points at (`first_attempt` for a redrive's). */
export const ATTR_LINK_ROLE = 'messaging.link.role';

export interface EventAddress {
  topic: string;
  key: string | null;
  eventId: string;
  eventType: string;
}

function addressAttributes(system: MessagingSystem, address: EventAddress): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM_NAME]: system,
    [ATTR_MESSAGING_DESTINATION_NAME]: address.topic,
    [ATTR_MESSAGING_MESSAGE_ID]: address.eventId,
    [ATTR_CLOUDEVENTS_EVENT_ID]: address.eventId,
    [ATTR_CLOUDEVENTS_EVENT_TYPE]: address.eventType,
  };
  if (address.key !== null && address.key !== '') attributes[ATTR_KAFKA_MESSAGE_KEY] = address.key;
  return attributes;
}

/**
 * A create span for an event written to the outbox now, a child of the active span (the request's
 * or the handler's); returns its `traceparent`, which the event carries. Undefined while spans are
 * not recorded.
 */
export function createSpan(system: MessagingSystem, address: EventAddress): string | undefined {
  if (!recordingSpans()) return undefined;
  const span = tracer().startSpan(`create ${address.topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: { ...addressAttributes(system, address), [ATTR_MESSAGING_OPERATION_TYPE]: 'create', [ATTR_MESSAGING_OPERATION_NAME]: 'create' },
  });
  span.end();
  return traceparentOf(span.spanContext());
}

export interface SentMessage extends EventAddress {
  traceparent: string | undefined;
}

/**
 * Runs `publish` inside send spans: one per trace among `messages` (a relay batch carries many
 * traces), a child of that trace's first create span and linked to every create span of the
 * trace it publishes. Messages without a trace get one unparented span with no links.
 */
export async function sending<T>(system: MessagingSystem, messages: () => SentMessage[], publish: () => Promise<T>): Promise<T> {
  if (!recordingSpans()) return publish();
  const byTrace = new Map<string, SentMessage[]>();
  for (const message of messages()) {
    const traceId = spanContextOf(message.traceparent)?.traceId ?? '';
    byTrace.set(traceId, [...(byTrace.get(traceId) ?? []), message]);
  }
  const spans = [...byTrace.values()].map((group) => {
    const topics = [...new Set(group.map((message) => message.topic))];
    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM_NAME]: system,
      [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
      [ATTR_MESSAGING_OPERATION_NAME]: 'send',
      [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: group.length,
    };
    if (topics.length === 1) attributes[ATTR_MESSAGING_DESTINATION_NAME] = topics[0]!;
    if (group.length === 1) Object.assign(attributes, addressAttributes(system, group[0]!));
    const links: Link[] = group.flatMap((message) => {
      const created = spanContextOf(message.traceparent);
      return created === undefined ? [] : [{ context: created, attributes: addressAttributes(system, message) }];
    });
    return tracer().startSpan(topics.length === 1 ? `send ${topics[0]}` : 'send', { kind: SpanKind.CLIENT, attributes, links }, contextOf(group[0]!.traceparent));
  });
  try {
    const result = await publish();
    for (const span of spans) span.end();
    return result;
  } catch (error) {
    for (const span of spans) endWithError(span, error);
    throw error;
  }
}

export interface ProcessedMessage extends EventAddress {
  system: MessagingSystem;
  group: string;
  partition: number;
  offset: string;
  /** 1 for the first delivery to the group, counting held retries. */
  attempt: number;
  /** The create span's context, carried by the message. */
  traceparent: string | undefined;
  /** The process span of the message's first attempt, when this is a later delivery (a redrive). */
  firstAttempt: string | undefined;
}

/**
 * Runs a handler in a process span, a child of the message's create span, so every attempt of
 * every group joins the trace of the request that wrote the event; a redriven message's span also
 * links to its first attempt. `started` receives the span's `traceparent`. Without spans, `fn`
 * runs in the message's trace with ids of the platform's own.
 */
export function processing<T>(message: ProcessedMessage, cause: Pick<TraceContext, 'causationId' | 'correlationId'>, started: (traceparent: string) => void, fn: () => T): T {
  if (!recordingSpans()) return runInTrace({ ...traceFrom(message.traceparent), ...cause }, fn);
  const parent = contextOf(message.traceparent);
  const attributes: Attributes = {
    ...addressAttributes(message.system, message),
    [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: message.group,
    [ATTR_MESSAGING_ATTEMPT]: message.attempt,
  };
  if (message.system === 'kafka') {
    attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(message.partition);
    attributes[ATTR_KAFKA_OFFSET] = Number(message.offset);
  }
  const first = spanContextOf(message.firstAttempt);
  const links: Link[] = first === undefined ? [] : [{ context: first, attributes: { [ATTR_LINK_ROLE]: 'first_attempt' } }];
  const span = tracer().startSpan(`process ${message.topic}`, { kind: SpanKind.CONSUMER, attributes, links }, parent);
  started(traceparentOf(span.spanContext()));
  return context.with(parent, () => runInSpan(span, cause, fn));
}
