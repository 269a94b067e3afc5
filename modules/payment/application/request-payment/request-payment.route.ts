import { callerOf, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { MONEY_MOVING } from '../../../../src/platform/http/rate-limits.ts';
import { markReplay, type IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import { requestPayment, type RequestPaymentDeps } from './request-payment.command.ts';
import { PaymentAccepted, RequestPaymentBody } from './request-payment.schema.ts';
import { IDEMPOTENCY_NOTE, IdempotencyKeyHeader, problems } from '../../../../src/platform/http/schemas.ts';


export interface RequestPaymentRouteDeps extends RequestPaymentDeps {
  idempotency: IdempotencyKeys;
}

export function requestPaymentRoutes(app: HttpApp, deps: RequestPaymentRouteDeps): void {
  app.post('/payments', {
    schema: {
      tags: ['payment'],
      summary: 'Request a payment from an account',
      description:
        'Checks the account first (unknown → 404; suspended, closed or another currency → 422), then the fraud rules. ' +
        'A payment the fraud rules refuse is recorded all the same and answered 201 with status REJECTED (reason ' +
        'FRAUD_SUSPECTED, visible through GET /payments/{id}); an accepted one is 201 CREATED and moves on as the ' +
        `account and billing answer. A customer token pays from its own account only: another's answers 404. ${IDEMPOTENCY_NOTE}`,
      security: requiresRole('customer'),
      headers: IdempotencyKeyHeader,
      body: RequestPaymentBody,
      response: { 201: PaymentAccepted, ...problems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503) },
    },
    config: MONEY_MOVING,
  }, async (request, reply) => {
    const command = { ...request.body, payer: callerOf(request) };
    const answer = await deps.idempotency.respond(request, 'payment.request', async (uow) => {
      const payment = await requestPayment(uow, deps, command);
      return { status: 201, body: { id: payment.id, status: payment.status as 'CREATED' | 'REJECTED' } };
    });
    markReplay(reply, answer);
    // Refusals are thrown (and replayed as problems), so a stored response is always the 201.
    return reply.status(201).send(answer.body);
  });
}
