/**
 * CloudEvents 1.0 envelope in Kafka "binary content mode": the message value is the event's data
 * (exactly the payload consumers expect), the attributes travel as `ce_*` headers.
 */
export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  /** Contract version (CloudEvents extension attribute). */
  dataversion: number;
  traceparent?: string;
  /** The id of the event whose handling wrote this one (CloudEvents extension attribute). */
  causationid?: string;
  /** The id of the first event of the chain (CloudEvents extension attribute). */
  correlationid?: string;
  data: T;
}

export const HEADERS = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  subject: 'ce_subject',
  dataversion: 'ce_dataversion',
  contentType: 'content-type',
  traceparent: 'traceparent',
  causationid: 'ce_causationid',
  correlationid: 'ce_correlationid',
  /** Set on a redriven dead letter: only this consumer group handles the message. */
  redriveConsumer: 'x-redrive-consumer',
  /** On a redriven or skipped dead letter: which one, so the group releases the key it parked. */
  deadLetterId: 'x-dead-letter-id',
  /** `skip`: not a message to handle, only the release of the key its skipped dead letter parked. */
  parkRelease: 'x-park-release',
  /** On a held, dead-lettered or redriven message: the `traceparent` of its first process span, which a redrive's links to. */
  firstAttempt: 'x-first-attempt-traceparent',
  deadLetterError: 'x-dead-letter-error',
  deadLetterConsumer: 'x-dead-letter-consumer',
  deadLetterTopic: 'x-dead-letter-original-topic',
} as const;

export type WireHeaders = Record<string, string>;

/** A message as it travels on any transport. */
export interface WireMessage {
  topic: string;
  key: string;
  value: string;
  headers: WireHeaders;
}

export function envelopeHeaders(envelope: Omit<EventEnvelope, 'data'>): WireHeaders {
  const headers: WireHeaders = {
    [HEADERS.specversion]: envelope.specversion,
    [HEADERS.id]: envelope.id,
    [HEADERS.type]: envelope.type,
    [HEADERS.source]: envelope.source,
    [HEADERS.time]: envelope.time,
    [HEADERS.subject]: envelope.subject,
    [HEADERS.dataversion]: String(envelope.dataversion),
    [HEADERS.contentType]: envelope.datacontenttype,
  };
  if (envelope.traceparent !== undefined) headers[HEADERS.traceparent] = envelope.traceparent;
  if (envelope.causationid !== undefined) headers[HEADERS.causationid] = envelope.causationid;
  if (envelope.correlationid !== undefined) headers[HEADERS.correlationid] = envelope.correlationid;
  return headers;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type DecodeResult =
  | { ok: true; envelope: EventEnvelope<unknown> }
  | { ok: false; reason: string };

/** Reads an envelope back from a wire message; a poison message gets a reason instead. */
export function decodeEnvelope(value: string | null, headers: WireHeaders): DecodeResult {
  const id = headers[HEADERS.id];
  const type = headers[HEADERS.type];
  const version = Number(headers[HEADERS.dataversion] ?? '1');
  if (id === undefined || !UUID.test(id)) return { ok: false, reason: 'missing or invalid ce_id header' };
  if (type === undefined || type === '') return { ok: false, reason: 'missing ce_type header' };
  if (!Number.isInteger(version) || version < 1) return { ok: false, reason: 'invalid ce_dataversion header' };
  if (value === null) return { ok: false, reason: 'empty message value' };
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch (error) {
    return { ok: false, reason: `value is not valid JSON: ${(error as Error).message}` };
  }
  const envelope: EventEnvelope<unknown> = {
    specversion: '1.0',
    id,
    type,
    source: headers[HEADERS.source] ?? 'unknown',
    time: headers[HEADERS.time] ?? new Date(0).toISOString(),
    subject: headers[HEADERS.subject] ?? '',
    datacontenttype: 'application/json',
    dataversion: version,
    data,
  };
  for (const attribute of ['traceparent', 'causationid', 'correlationid'] as const) {
    const header = headers[HEADERS[attribute]];
    if (header !== undefined) envelope[attribute] = header;
  }
  return { ok: true, envelope };
}
