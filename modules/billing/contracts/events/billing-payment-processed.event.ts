import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** Billing finished processing a payment; the payment becomes COMPLETED or FAILED. */
export const BillingPaymentProcessed = defineEvent({
  type: 'billing.payment.processed',
  version: 1,
  source: 'billing',
  description: 'Billing processed a submitted payment after its simulated delay: SUCCEEDED or FAILED. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    outcome: Type.Union([Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]),
    /** Why processing failed; null when it succeeded. */
    failureReason: Type.Union([Type.String(), Type.Null()]),
    processedAt: Type.String({ format: 'date-time' }),
  }),
});
