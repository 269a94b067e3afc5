import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import type { Clock } from '../../../../src/platform/clock.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import type { IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import { PaymentIdParams } from '../payment.schema.ts';
import { reversePayment } from './reverse-payment.handler.ts';

const Problem = Type.Ref('Problem');

export function reversePaymentRoutes(app: HttpApp, deps: { orm: MikroORM; outbox: OutboxWriter; clock: Clock; idempotency: IdempotencyKeys }): void {
  app.post('/payments/:id/reversal', {
    schema: {
      tags: ['payment'],
      summary: 'Reverse a COMPLETED payment (any other status is 422); the account is re-credited',
      description: 'Accepts an Idempotency-Key header: the same key and body replays the first response, the same key with another body is 409.',
      params: PaymentIdParams,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
      body: Type.Object(
        { reason: Type.String({ pattern: '^[A-Z][A-Z0-9_]{0,63}$', description: 'Reason code: CUSTOMER_REQUEST, FRAUD, ERROR, ...', examples: ['CUSTOMER_REQUEST'] }) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ id: Type.Integer(), status: Type.Literal('REVERSED') }), 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const result = await deps.idempotency.run(request, 'payment.reversal', async () => {
      const payment = await reversePayment({ em: deps.orm.em, outbox: deps.outbox, clock: deps.clock }, { paymentId: request.params.id, reason: request.body.reason });
      return { status: 200, body: { id: payment.id, status: 'REVERSED' as const } };
    });
    // Refusals are thrown (and replayed as problems), so a stored response is always the 200.
    return reply.status(result.status as 200).send(result.body);
  });
}
