import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import { requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { fromMinorUnits, MoneyValue } from '../../../../src/platform/money.ts';
import { findPaymentProcessing } from './payment-processing.query.ts';
import { problems, literalUnion, literalUnionOrNull } from '../../../../src/platform/http/schemas.ts';
import { PROCESSING_STATUSES } from '../../domain/payment-processing.ts';
import { PROCESSING_OUTCOMES } from '../../domain/processing-decision.ts';

const Timestamp = Type.String({ format: 'date-time' });

export const PaymentProcessingView = Type.Object({
  paymentId: Type.Integer({ examples: [1] }),
  accountId: Type.Integer({ examples: [1] }),
  amount: MoneyValue,
  currency: Type.String({ examples: ['EUR'] }),
  transactionType: Type.String({ examples: ['STANDARD'] }),
  status: literalUnion(PROCESSING_STATUSES),
  outcome: literalUnionOrNull(PROCESSING_OUTCOMES),
  failureReason: Type.Union([Type.String(), Type.Null()]),
  receivedAt: Timestamp,
  dueAt: Type.String({ format: 'date-time', description: 'When the simulated processing delay ends' }),
  processedAt: Type.Union([Timestamp, Type.Null()]),
});

export function paymentProcessingRoutes(app: HttpApp, deps: { orm: MikroORM }): void {
  app.get('/billing/payments/:paymentId', {
    schema: {
      tags: ['billing'],
      summary: 'How billing is processing a submitted payment: scheduled until its delay ends, then processed',
      description: 'For operators: billing knows accounts by id only, so it cannot tell a customer what is theirs.',
      security: requiresRole('operator'),
      params: Type.Object({ paymentId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      response: { 200: PaymentProcessingView, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const processing = await findPaymentProcessing(deps.orm, request.params.paymentId);
    if (processing === null) throw new NotFoundError('payment-processing', `Billing has not received payment ${request.params.paymentId}`);
    return {
      paymentId: processing.paymentId,
      accountId: processing.accountId,
      amount: fromMinorUnits(processing.amount, processing.currency),
      currency: processing.currency,
      transactionType: processing.transactionType,
      status: processing.status,
      outcome: processing.outcome,
      failureReason: processing.failureReason,
      receivedAt: processing.receivedAt.toISOString(),
      dueAt: processing.dueAt.toISOString(),
      processedAt: processing.processedAt?.toISOString() ?? null,
    };
  });
}
