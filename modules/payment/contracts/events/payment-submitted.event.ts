import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** Funds are reserved, so the payment is submitted to billing for processing. */
export const PaymentSubmitted = defineEvent({
  type: 'payment.submitted',
  version: 1,
  source: 'payment',
  description: 'A payment with reserved funds is handed to billing for processing. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    transactionType: Type.String({ examples: ['STANDARD'] }),
    submittedAt: Type.String({ format: 'date-time' }),
  }),
});
