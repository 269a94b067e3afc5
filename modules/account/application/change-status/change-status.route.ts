import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../../../../src/platform/clock.ts';
import { requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { markReplay, type IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import { AccountView, toAccountView } from '../account.view.ts';
import { changeStatus, DEFAULT_CLOSE_REASON, type ChangeStatus } from './change-status.command.ts';
import { IDEMPOTENCY_NOTE, IdempotencyKeyHeader, problems } from '../../../../src/platform/http/schemas.ts';

const operatorOnly = requiresRole('operator');
const AccountId = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const Reason = Type.String({ minLength: 1, maxLength: 200, examples: ['FRAUD_SUSPECTED'] });
const responses = { 200: AccountView, ...problems(400, 401, 403, 404, 409, 422) };

export const SuspendBody = Type.Object(
  {
    reason: Reason,
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the suspension should end; in the future', examples: ['2030-01-01T00:00:00Z'] })),
  },
  { additionalProperties: false },
);
export const CloseBody = Type.Object(
  { reason: Type.Optional({ ...Reason, description: `Why the account is closed (default ${DEFAULT_CLOSE_REASON})`, examples: ['CUSTOMER_REQUEST'] }) },
  { additionalProperties: false },
);
const NoFields = Type.Object({}, { additionalProperties: false });

/** Operator routes: suspend, reactivate and close an account. */
export function changeStatusRoutes(app: HttpApp, deps: { clock: Clock; idempotency: IdempotencyKeys }): void {
  const run = async (request: FastifyRequest, reply: FastifyReply, id: number, command: ChangeStatus) => {
    const answer = await deps.idempotency.respond(request, `account.${command.action}`, async (uow) => ({
      status: 200,
      body: toAccountView(await changeStatus(uow, deps.clock, id, command)),
    }));
    markReplay(reply, answer);
    return answer.body;
  };

  app.post('/accounts/:id/suspend', {
    schema: {
      tags: ['account', 'admin'],
      summary: 'Suspend an active account: payments, withdrawals and order charges are refused until it is reactivated',
      description: IDEMPOTENCY_NOTE,
      security: operatorOnly,
      params: AccountId,
      headers: IdempotencyKeyHeader,
      body: SuspendBody,
      response: responses,
    },
  }, async (request, reply) => run(request, reply, request.params.id, {
    action: 'suspend',
    reason: request.body.reason,
    expiresAt: request.body.expiresAt === undefined ? undefined : new Date(request.body.expiresAt),
  }));

  app.post('/accounts/:id/reactivate', {
    schema: {
      tags: ['account', 'admin'],
      summary: 'Reactivate a suspended account',
      description: IDEMPOTENCY_NOTE,
      security: operatorOnly,
      params: AccountId,
      headers: IdempotencyKeyHeader,
      body: NoFields,
      response: responses,
    },
  }, async (request, reply) => run(request, reply, request.params.id, { action: 'reactivate' }));

  app.post('/accounts/:id/close', {
    schema: {
      tags: ['account', 'admin'],
      summary: 'Close an account for good (refused while payments hold reserved funds)',
      description: IDEMPOTENCY_NOTE,
      security: operatorOnly,
      params: AccountId,
      headers: IdempotencyKeyHeader,
      body: CloseBody,
      response: responses,
    },
  }, async (request, reply) => run(request, reply, request.params.id, { action: 'close', reason: request.body.reason ?? DEFAULT_CLOSE_REASON }));
}
