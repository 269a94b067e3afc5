import { Type } from 'typebox';
import type { Clock } from '../../../../src/platform/clock.ts';
import { callerOf, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { MONEY_MOVING } from '../../../../src/platform/http/rate-limits.ts';
import { markReplay, type IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import { PaymentIdParams } from '../payment.view.ts';
import { reversePayment } from './reverse-payment.command.ts';
import { IDEMPOTENCY_NOTE, IdempotencyKeyHeader, problems } from '../../../../src/platform/http/schemas.ts';


export function reversePaymentRoutes(app: HttpApp, deps: { clock: Clock; idempotency: IdempotencyKeys }): void {
  app.post('/payments/:id/reversal', {
    schema: {
      tags: ['payment'],
      summary: 'Reverse a COMPLETED payment (any other status is 422); the account is re-credited',
      description: `The payer (a customer token, its own payments only: another's answers 404) or an operator. ${IDEMPOTENCY_NOTE}`,
      security: requiresRole('customer', 'operator'),
      params: PaymentIdParams,
      headers: IdempotencyKeyHeader,
      body: Type.Object(
        { reason: Type.String({ pattern: '^[A-Z][A-Z0-9_]{0,63}$', description: 'Reason code: CUSTOMER_REQUEST, FRAUD, ERROR, ...', examples: ['CUSTOMER_REQUEST'] }) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ id: Type.Integer(), status: Type.Literal('REVERSED') }), ...problems(400, 401, 403, 404, 409, 413, 415, 422, 429) },
    },
    config: MONEY_MOVING,
  }, async (request, reply) => {
    const command = { paymentId: request.params.id, reason: request.body.reason, caller: callerOf(request) };
    const answer = await deps.idempotency.respond(request, 'payment.reversal', async (uow) => {
      const payment = await reversePayment(uow, deps.clock, command);
      return { status: 200, body: { id: payment.id, status: 'REVERSED' as const } };
    });
    markReplay(reply, answer);
    // Refusals are thrown (and replayed as problems), so a stored response is always the 200.
    return reply.status(200).send(answer.body);
  });
}
