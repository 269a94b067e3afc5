import { Type } from 'typebox';
import { callerOf, requiresRole } from '../auth/route-security.ts';
import type { Cradle } from '../container.ts';
import { ProblemError } from './problem.ts';
import { Flow } from '../messaging/flow.ts';
import { JOURNEY_LIMIT, Journeys } from '../messaging/journey.ts';
import type { HttpApp } from './app.ts';
import { problems } from './schemas.ts';

const security = requiresRole('operator');
const Timestamp = Type.String({ format: 'date-time' });
const OptionalTimestamp = Type.Union([Timestamp, Type.Null()]);
const Uuid = Type.String({ format: 'uuid' });

/**
 * What the operator console reads, and any tool may: who is signed in, what flows (backlog, rates,
 * lag, what is stuck) and an event's journey through the consumer groups.
 */
export function flowRoutes(admin: HttpApp, { orm, transport, events, parking }: Cradle): void {
  const flow = new Flow(orm, transport, events, parking);
  const journeys = new Journeys(orm, events);

  admin.get('/admin/session', {
    schema: {
      tags: ['admin'],
      summary: 'Who the operator token belongs to',
      security,
      response: { 200: Type.Object({ subject: Type.String(), role: Type.String() }), ...problems(401, 403) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    return { subject: caller.subject, role: caller.role };
  });

  admin.get('/admin/flow', {
    schema: {
      tags: ['admin'],
      summary: 'What flows now: outbox backlog per topic, relay rate, and per consumer group its rate, lag, retries, dead letters and parked keys',
      description: 'Rates are per second over the last minute, from the rows every process writes. Lag: on Kafka, committed offset against high ' +
        'watermark per partition (null when the broker does not answer within 2 s); on the local transport, messages handed over and not yet handled.',
      security,
      response: {
        200: Type.Object({
          at: Timestamp,
          transport: Type.Union([Type.Literal('kafka'), Type.Literal('local')]),
          relay: Type.Object({ publishedPerSecond: Type.Number() }),
          outbox: Type.Object({
            backlog: Type.Integer(),
            oldestUnpublishedAgeSeconds: Type.Union([Type.Number(), Type.Null()]),
            byTopic: Type.Array(Type.Object({ topic: Type.String(), unpublished: Type.Integer(), oldestUnpublishedAgeSeconds: Type.Union([Type.Number(), Type.Null()]) })),
          }),
          consumers: Type.Array(Type.Object({
            consumer: Type.String(),
            handledPerSecond: Type.Number(),
            lag: Type.Union([Type.Integer(), Type.Null()]),
            partitions: Type.Array(Type.Object({
              topic: Type.String(), partition: Type.Integer(), committed: Type.Union([Type.String(), Type.Null()]), highWatermark: Type.String(), lag: Type.Integer(),
            })),
            retrying: Type.Integer({ description: 'Keys held for a background retry' }),
            deadLetters: Type.Integer({ description: 'Unsettled' }),
            parkedKeys: Type.Integer(),
            parkedMessages: Type.Integer(),
          })),
        }),
        ...problems(401, 403),
      },
    },
  }, async () => flow.now());

  admin.get('/admin/flow/history', {
    schema: {
      tags: ['admin'],
      summary: 'Events per second over the last minutes, in 5-second buckets: the relay\'s publishing and each consumer group\'s handling',
      security,
      querystring: Type.Object({ minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, default: 5 })) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          bucketSeconds: Type.Integer(),
          series: Type.Array(Type.Object({
            name: Type.String({ description: '`relay` or a consumer group' }),
            points: Type.Array(Type.Object({ at: Timestamp, perSecond: Type.Number() })),
          })),
        }),
        ...problems(400, 401, 403),
      },
    },
  }, async (request) => flow.history(request.query.minutes ?? 5));

  admin.get('/admin/journey', {
    schema: {
      tags: ['admin'],
      summary: 'An event\'s journey: written, published, handled by each consumer group, what it caused, dead letters and parking on the way',
      description: `Give \`eventId\` (its whole chain: every event sharing its correlation id, each naming the event that caused it) or \`key\` (the key's latest events: an account id, ` +
        `a payment id). At most ${JOURNEY_LIMIT} events; only events still in the outbox (RELAY_PUBLISHED_RETENTION_HOURS) are found.`,
      security,
      querystring: Type.Object({
        eventId: Type.Optional(Uuid),
        key: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          events: Type.Array(Type.Object({
            eventId: Type.String(), type: Type.String(), topic: Type.String(), key: Type.String(),
            source: Type.String({ description: 'The module that wrote it' }),
            createdAt: Timestamp, publishedAt: OptionalTimestamp,
            traceId: Type.Union([Type.String(), Type.Null()]),
            causationId: Type.Union([Type.String(), Type.Null()], { description: 'The event whose handling wrote this one' }),
            correlationId: Type.Union([Type.String(), Type.Null()], { description: 'Shared by every event of one chain' }),
            handledBy: Type.Array(Type.Object({ consumer: Type.String(), handledAt: Timestamp })),
            caused: Type.Array(Type.Object({ eventId: Type.String(), type: Type.String(), topic: Type.String(), createdAt: Timestamp })),
            deadLetters: Type.Array(Type.Object({
              id: Type.Integer(), consumer: Type.String(), error: Type.String(), createdAt: Timestamp, redrivenAt: OptionalTimestamp, skippedAt: OptionalTimestamp,
            })),
            parked: Type.Array(Type.Object({ consumer: Type.String(), parkedAt: Timestamp })),
          })),
        }),
        ...problems(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const { eventId, key } = request.query;
    if ((eventId === undefined) === (key === undefined)) {
      throw new ProblemError(400, 'event-id-or-key', 'Bad request', 'Give exactly one of eventId and key');
    }
    return { events: eventId !== undefined ? await journeys.ofEvent(eventId) : await journeys.ofKey(key!) };
  });
}
