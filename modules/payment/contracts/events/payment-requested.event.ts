import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** A payment was accepted (CREATED); the account module books (reserves) its funds. */
export const PaymentRequested = defineEvent({
  type: 'payment.requested',
  version: 1,
  source: 'payment',
  description: 'A payment was created and asks the account to reserve its amount. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    transactionType: Type.String({ examples: ['STANDARD'] }),
    requestedAt: Type.String({ format: 'date-time' }),
  }),
});
