import { Type } from 'typebox';
import type { Cradle } from '../container.ts';
import { isoOf } from '../db/raw-time.ts';
import { ProblemError } from './problem.ts';
import { audit, parsedValue, type DeadLetter, type DeadLetters, type OperatorAction } from '../messaging/dead-letters.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { payloadErrors, type EventContract, type FieldError } from '../messaging/contract.ts';
import { HEADERS } from '../messaging/envelope.ts';
import type { EventCatalog } from '../messaging/event-catalog.ts';
import type { HttpApp } from './app.ts';
import { markReplay } from './idempotency.ts';
import { readInSnapshot } from '../db/snapshot.ts';
import { callerOf, requiresRole } from '../auth/route-security.ts';
import type { FastifyRequest } from 'fastify';
import { IDEMPOTENCY_NOTE, IdempotencyKeyHeader, pageOf, pagingQuery, problems } from './schemas.ts';

const security = requiresRole('operator');
/** A bulk action over keys sharing an error takes at most this many at once; repeat it for more. */
const BULK_LIMIT = 1000;

const Reason = Type.String({ minLength: 1, maxLength: 500, description: 'Why: kept in the audit log' });
const DeadLetterId = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Settled = Type.Object({
  id: Type.Integer(), consumer: Type.String(), topic: Type.String(), key: Type.Union([Type.String(), Type.Null()]),
  redrivenAt: Type.Union([Type.String(), Type.Null()]), skippedAt: Type.Union([Type.String(), Type.Null()]),
});
const Timestamp = Type.String({ format: 'date-time' });
const DeadLetterView = Type.Object({
  id: Type.Integer(), consumer: Type.String(), topic: Type.String(), partition: Type.Integer(), offset: Type.String(),
  key: Type.Union([Type.String(), Type.Null()]),
  headers: Type.Record(Type.String(), Type.String()),
  payload: Type.Union([Type.String(), Type.Null()], { description: 'The message value as received' }),
  error: Type.String(),
  fingerprint: Type.String({ description: 'The error with ids and numbers replaced: letters failing alike share it' }),
  attempts: Type.Integer(),
  eventId: Type.Union([Type.String(), Type.Null()], { description: 'From the ce_id header; null for a message without one' }),
  eventType: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  redrivenAt: Type.Union([Timestamp, Type.Null()]),
  skippedAt: Type.Union([Timestamp, Type.Null()]),
});
const Errors = { ...problems(400, 401, 403, 404, 409, 422) };
const KeySelection = {
  consumer: Type.String({ minLength: 1, description: 'The consumer group, e.g. payments.account' }),
  key: Type.Optional(Type.String({ minLength: 1, description: 'One parked key' })),
  error: Type.Optional(Type.String({ minLength: 1, description: `Every key of the group parked with exactly this error (at most ${BULK_LIMIT} per call)` })),
};

/**
 * What an operator does about stuck messages: redrive or skip a dead letter (which releases the key
 * it parked), the same for parked keys one by one or in bulk by error, and the audit log of it all.
 */
export function operatorRoutes(admin: HttpApp, { orm, deadLetters, parking, idempotency, events }: Cradle): void {
  admin.get('/admin/dead-letters', {
    schema: {
      tags: ['admin'],
      summary: 'Messages that consumers gave up on, newest first',
      security,
      querystring: Type.Object({
        consumer: Type.Optional(Type.String({ minLength: 1, description: 'Only this consumer group\'s' })),
        fingerprint: Type.Optional(Type.String({ minLength: 1, description: 'Only those failing alike (see /admin/dead-letters/groups)' })),
        unsettled: Type.Optional(Type.Boolean({ default: false, description: 'Only those neither redriven nor skipped' })),
        ...pagingQuery,
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(DeadLetterView) }), ...problems(400, 401, 403) },
    },
  }, async (request) => {
    const { limit, offset } = pageOf(request.query);
    return deadLetters.list(request.query, limit, offset);
  });

  admin.get('/admin/dead-letters/groups', {
    schema: {
      tags: ['admin'],
      summary: 'Unsettled dead letters grouped by consumer group, topic and error fingerprint, largest groups first',
      description: 'The fingerprint is the error with its ids and numbers replaced (`<id>`, `<n>`): one failure hitting many payments is one group.',
      security,
      response: {
        200: Type.Object({
          items: Type.Array(Type.Object({
            consumer: Type.String(), topic: Type.String(), fingerprint: Type.String(), count: Type.Integer(),
            parkedKeys: Type.Integer({ description: 'Keys these letters park' }),
            firstSeen: Type.String({ format: 'date-time' }), lastSeen: Type.String({ format: 'date-time' }),
            sampleError: Type.String({ description: 'The newest letter\'s error' }), sampleId: Type.Integer(),
          })),
        }),
        ...problems(401, 403),
      },
    },
  }, async () => ({ items: await deadLetters.groups() }));

  admin.get('/admin/dead-letters/:id', {
    schema: {
      tags: ['admin'],
      summary: 'One dead letter, its payload parsed, and the contract its payload must meet',
      security,
      params: DeadLetterId,
      response: {
        200: Type.Intersect([DeadLetterView, Type.Object({
          payloadJson: Type.Unknown({ description: 'The payload parsed; null when it is not JSON' }),
          contract: Type.Union([Type.Object({ type: Type.String(), version: Type.Integer(), schema: Type.Unknown() }), Type.Null()], {
            description: 'Null when the message names no known contract (a poison message)',
          }),
        })]),
        ...problems(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const letter = await deadLetters.get(request.params.id);
    const contract = contractOfLetter(events, letter);
    return {
      ...letter,
      payloadJson: parsedValue(letter.payload, 'null'),
      contract: contract === undefined ? null : { type: contract.type, version: contract.version, schema: contract.schema },
    };
  });

  admin.post('/admin/dead-letters/:id/validate', {
    schema: {
      tags: ['admin'],
      summary: 'Check a fixed payload against the contract of the dead letter\'s event before redriving it',
      description: 'Changes nothing. A letter naming no known contract accepts any JSON.',
      security,
      params: DeadLetterId,
      body: Type.Object({ payload: Type.Unknown({ description: 'The payload to check' }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({ valid: Type.Boolean(), errors: Type.Array(Type.Object({ path: Type.String({ description: 'JSON pointer into the payload' }), message: Type.String() })) }),
        ...problems(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const errors = fixErrors(events, await deadLetters.get(request.params.id), request.body.payload);
    return { valid: errors.length === 0, errors };
  });

  for (const action of ['redrive', 'skip'] as const) {
    admin.post(`/admin/dead-letters/${action}`, {
      schema: {
        tags: ['admin'],
        summary: action === 'redrive'
          ? 'Redrive every unsettled dead letter of a consumer group sharing an error fingerprint'
          : 'Skip every unsettled dead letter of a consumer group sharing an error fingerprint',
        description: `At most ${BULK_LIMIT} letters per call, oldest first; repeat for more. Each letter is audited. ${IDEMPOTENCY_NOTE}`,
        security,
        headers: IdempotencyKeyHeader,
        body: Type.Object({
          consumer: KeySelection.consumer,
          fingerprint: Type.String({ minLength: 1, description: 'From /admin/dead-letters/groups' }),
          reason: action === 'redrive' ? Type.Optional(Reason) : Reason,
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ settled: Type.Array(Settled) }), ...Errors },
      },
    }, async (request, reply) => {
      const { consumer, fingerprint, reason } = request.body as { consumer: string; fingerprint: string; reason?: string };
      const answer = await idempotency.respond(request, `admin.dead-letters.${action}`, async (uow) => {
        const ids = await deadLetters.idsFailingAlike(uow.em, consumer, fingerprint, BULK_LIMIT);
        return { status: 200, body: { settled: await settleAll(deadLetters, uow.em, action, ids, { actor: actorOf(request), reason }) } };
      });
      markReplay(reply, answer);
      return answer.body;
    });
  }

  admin.post('/admin/dead-letters/:id/redrive', {
    schema: {
      tags: ['admin'],
      summary: 'Send a dead letter back to the consumer group that failed it, optionally with a fixed payload',
      description: 'Handled, it releases the key it parked: the parked messages follow it, in order. A fixed `payload` must meet the ' +
        'contract of the letter\'s event (422 `invalid-payload` names each field otherwise). A dead letter is settled once; ' +
        `settling it again is 409. ${IDEMPOTENCY_NOTE}`,
      security,
      params: DeadLetterId,
      headers: IdempotencyKeyHeader,
      body: Type.Optional(Type.Object({
        payload: Type.Optional(Type.Unknown({ description: 'Replaces the stored message value' })),
        reason: Type.Optional(Reason),
      }, { additionalProperties: false })),
      response: { 200: Settled, ...Errors },
    },
  }, async (request, reply) => {
    const action: OperatorAction & { payload?: unknown } = { actor: actorOf(request), reason: request.body?.reason, payload: request.body?.payload };
    if (action.payload !== undefined) refuseInvalidFix(events, await deadLetters.get(request.params.id), action.payload);
    const answer = await idempotency.respond(request, 'admin.dead-letter.redrive', async (uow) => ({
      status: 200, body: settledView(await deadLetters.redrive(uow.em, request.params.id, action)),
    }));
    markReplay(reply, answer);
    return answer.body;
  });

  admin.post('/admin/dead-letters/:id/skip', {
    schema: {
      tags: ['admin'],
      summary: 'Give a dead letter up for good and release the key it parked',
      description: `The key's parked messages are then handled in order, without it. ${IDEMPOTENCY_NOTE}`,
      security,
      params: DeadLetterId,
      headers: IdempotencyKeyHeader,
      body: Type.Object({ reason: Reason }, { additionalProperties: false }),
      response: { 200: Settled, ...Errors },
    },
  }, async (request, reply) => {
    const answer = await idempotency.respond(request, 'admin.dead-letter.skip', async (uow) => ({
      status: 200, body: settledView(await deadLetters.skip(uow.em, request.params.id, { actor: actorOf(request), reason: request.body.reason })),
    }));
    markReplay(reply, answer);
    return answer.body;
  });

  admin.get('/admin/parked-keys', {
    schema: {
      tags: ['admin'],
      summary: 'Keys parked per consumer group behind a dead letter, oldest first, with their waiting messages',
      security,
      querystring: Type.Object({
        consumer: Type.Optional(Type.String({ minLength: 1 })),
        error: Type.Optional(Type.String({ minLength: 1 })),
        ...pagingQuery,
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          total: Type.Integer(),
          items: Type.Array(Type.Object({
            consumer: Type.String(), key: Type.String(), deadLetterId: Type.Integer(), error: Type.String(),
            parkedAt: Type.String({ format: 'date-time' }), parkedMessages: Type.Integer(),
            oldestParkedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
          })),
        }),
        ...problems(400, 401, 403),
      },
    },
  }, async (request) => {
    const { limit, offset } = pageOf(request.query);
    return readInSnapshot(orm, (em) => parking.list(em, request.query, limit, offset));
  });

  for (const action of ['redrive', 'skip'] as const) {
    admin.post(`/admin/parked-keys/${action}`, {
      schema: {
        tags: ['admin'],
        summary: action === 'redrive'
          ? 'Redrive the dead letters parking one key, or every key of a group sharing an error'
          : 'Skip the dead letters parking one key, or every key of a group sharing an error',
        description: `Give \`key\` or \`error\`. Each key is released once its dead letter is ${action === 'redrive' ? 'handled' : 'skipped'}; ` +
          `its parked messages follow in order. ${IDEMPOTENCY_NOTE}`,
        security,
        headers: IdempotencyKeyHeader,
        body: Type.Object({
          ...KeySelection,
          ...(action === 'redrive' ? { payload: Type.Optional(Type.Unknown({ description: 'Replaces the message value (one key only)' })) } : {}),
          reason: action === 'redrive' ? Type.Optional(Reason) : Reason,
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ settled: Type.Array(Settled) }), ...Errors },
      },
    }, async (request, reply) => {
      const body = request.body as { consumer: string; key?: string; error?: string; payload?: unknown; reason?: string };
      const match = selectionOf(body);
      const answer = await idempotency.respond(request, `admin.parked-keys.${action}`, async (uow) => {
        const ids = await parking.lettersParking(uow.em, body.consumer, match, BULK_LIMIT);
        const operator = { actor: actorOf(request), reason: body.reason, payload: body.payload };
        return { status: 200, body: { settled: await settleAll(deadLetters, uow.em, action, ids, operator) } };
      });
      markReplay(reply, answer);
      return answer.body;
    });
  }

  admin.get('/admin/outbox/held-keys', {
    schema: {
      tags: ['admin'],
      summary: 'Outbox keys the transport refused while accepting others: retrying after a delay, or parked for an operator',
      security,
      querystring: Type.Object(pagingQuery, { additionalProperties: false }),
      response: {
        200: Type.Object({
          items: Type.Array(Type.Object({
            key: Type.String(), outboxId: Type.Integer(), refusals: Type.Integer(), error: Type.String(),
            parked: Type.Boolean(), retryAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            heldAt: Type.String({ format: 'date-time' }), waitingRows: Type.Integer(),
          })),
        }),
        ...problems(400, 401, 403),
      },
    },
  }, async (request) => {
    const { limit, offset } = pageOf(request.query);
    const rows = await orm.em.fork().execute<Array<{ message_key: string; outbox_id: number; refusals: number; error: string; retry_at: string | Date | null; held_at: string | Date; waiting: number }>>(
      `select h.*, (select count(*)::int from messaging.outbox o where o.message_key = h.message_key and o.published_at is null) as waiting
         from messaging.outbox_key_hold h order by h.held_at limit ? offset ?`,
      [limit, offset],
    );
    return {
      items: rows.map((row) => ({
        key: row.message_key, outboxId: Number(row.outbox_id), refusals: row.refusals, error: row.error,
        parked: row.retry_at === null, retryAt: row.retry_at === null ? null : isoOf(row.retry_at),
        heldAt: isoOf(row.held_at), waitingRows: row.waiting,
      })),
    };
  });

  for (const action of ['retry', 'skip'] as const) {
    admin.post(`/admin/outbox/held-keys/${action}`, {
      schema: {
        tags: ['admin'],
        summary: action === 'retry'
          ? 'Let a held outbox key (or every key held with an error) be published again, its refusals forgotten'
          : "Give up a held outbox key's refused row (marked published, never sent) and let the key's later rows go",
        description: `Give \`key\` or \`error\`. ${IDEMPOTENCY_NOTE}`,
        security,
        headers: IdempotencyKeyHeader,
        body: Type.Object({
          key: Type.Optional(Type.String({ minLength: 1 })),
          error: Type.Optional(Type.String({ minLength: 1 })),
          reason: action === 'retry' ? Type.Optional(Reason) : Reason,
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ released: Type.Array(Type.String()) }), ...Errors },
      },
    }, async (request, reply) => {
      const body = request.body as { key?: string; error?: string; reason?: string };
      const match = selectionOf(body);
      const answer = await idempotency.respond(request, `admin.outbox.held-keys.${action}`, async (uow) => {
        const released = await uow.em.execute<Array<{ message_key: string; outbox_id: number }>>(
          `delete from messaging.outbox_key_hold where message_key in (
             select message_key from messaging.outbox_key_hold where ${'key' in match ? 'message_key' : 'error'} = ? order by held_at limit ?)
           returning message_key, outbox_id`,
          ['key' in match ? match.key : match.error, BULK_LIMIT],
        );
        if (action === 'skip' && released.length > 0) {
          await uow.em.execute(
            `update messaging.outbox set published_at = now(), last_error = ? where id = any(?::bigint[]) and published_at is null`,
            [`skipped by an operator: ${body.reason}`, `{${released.map((row) => row.outbox_id).join(',')}}`],
          );
        }
        for (const row of released) {
          await audit(uow.em, { actor: actorOf(request), reason: body.reason }, `outbox.held-key.${action}`, { key: row.message_key, outboxId: Number(row.outbox_id) });
        }
        return { status: 200, body: { released: released.map((row) => row.message_key) } };
      });
      markReplay(reply, answer);
      return answer.body;
    });
  }

  admin.get('/admin/audit', {
    schema: {
      tags: ['admin'],
      summary: 'Every operator action: who, what, on what, when and why; newest first',
      security,
      querystring: Type.Object(pagingQuery, { additionalProperties: false }),
      response: {
        200: Type.Object({
          items: Type.Array(Type.Object({
            id: Type.Integer(), at: Type.String({ format: 'date-time' }), actor: Type.String(), action: Type.String(),
            target: Type.Record(Type.String(), Type.Unknown()), reason: Type.Union([Type.String(), Type.Null()]),
          })),
        }),
        ...problems(400, 401, 403),
      },
    },
  }, async (request) => {
    const { limit, offset } = pageOf(request.query);
    const rows = await orm.em.fork().execute<Array<{ id: number; at: string | Date; actor: string; action: string; target: Record<string, unknown>; reason: string | null }>>(
      'select * from messaging.audit_log order by id desc limit ? offset ?', [limit, offset],
    );
    return { items: rows.map((row) => ({ ...row, id: Number(row.id), at: isoOf(row.at) })) };
  });
}

/** The contract a dead letter's event names (type and version headers), if this deployment has it. */
function contractOfLetter(events: EventCatalog, letter: DeadLetter): EventContract | undefined {
  if (letter.eventType === null) return undefined;
  const version = Number(letter.headers[HEADERS.dataversion] ?? '1');
  return events.contractOf(letter.eventType, version);
}

function fixErrors(events: EventCatalog, letter: DeadLetter, payload: unknown): FieldError[] {
  const contract = contractOfLetter(events, letter);
  return contract === undefined ? [] : payloadErrors(contract, payload);
}

function refuseInvalidFix(events: EventCatalog, letter: DeadLetter, payload: unknown): void {
  const errors = fixErrors(events, letter, payload);
  if (errors.length === 0) return;
  throw new ProblemError(422, 'invalid-payload', 'Payload does not meet the event\'s contract',
    `The fixed payload does not meet ${letter.eventType}: ${errors.map((error) => `${error.path || '/'} ${error.message}`).join('; ')}`,
    { errors: errors.map((error) => ({ in: 'body', field: `/payload${error.path}`, message: error.message })) });
}

function selectionOf(body: { key?: string; error?: string; payload?: unknown }): { key: string } | { error: string } {
  if ((body.key === undefined) === (body.error === undefined)) {
    throw new ProblemError(400, 'key-or-error', 'Bad request', 'Give exactly one of key and error');
  }
  if (body.payload !== undefined && body.key === undefined) {
    throw new ProblemError(400, 'payload-for-one-key', 'Bad request', 'A replacement payload fixes one key\'s message: give key, not error');
  }
  return body.key !== undefined ? { key: body.key } : { error: body.error! };
}

/** Redrives or skips each letter in turn, in the caller's transaction (each one audited by DeadLetters). */
async function settleAll(
  deadLetters: DeadLetters, em: EntityManager, action: 'redrive' | 'skip', ids: number[], operator: OperatorAction & { payload?: unknown },
): Promise<Array<ReturnType<typeof settledView>>> {
  const settled = [];
  for (const id of ids) {
    settled.push(settledView(action === 'redrive' ? await deadLetters.redrive(em, id, operator) : await deadLetters.skip(em, id, operator)));
  }
  return settled;
}

function settledView(letter: { id: number; consumer: string; topic: string; key: string | null; redrivenAt: string | null; skippedAt: string | null }) {
  return { id: letter.id, consumer: letter.consumer, topic: letter.topic, key: letter.key, redrivenAt: letter.redrivenAt, skippedAt: letter.skippedAt };
}

/** The audit log's `actor`: the operator token's subject. */
function actorOf(request: FastifyRequest): string {
  return callerOf(request).subject;
}
