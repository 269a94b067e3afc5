import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** Every status change of a payment, the first included, for external observers. */
export const PaymentStatusChanged = defineEvent({
  type: 'payment.status',
  version: 1,
  source: 'payment',
  description: 'A payment changed status: CREATED, PROCESSING, COMPLETED, REJECTED, FAILED, REVERSED. Key: paymentId.',
  keyOf: (data) => data.paymentId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    status: Type.String({ examples: ['PROCESSING'] }),
    /** Null for the first status (CREATED). */
    previousStatus: Type.Union([Type.String(), Type.Null()]),
    /** Why a payment was rejected, failed or reversed; null otherwise. */
    reason: Type.Union([Type.String(), Type.Null()]),
    changedAt: Type.String({ format: 'date-time' }),
  }),
});
