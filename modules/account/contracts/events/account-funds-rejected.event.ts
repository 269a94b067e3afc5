import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** Funds for a payment could not be booked (reserved); the payment is rejected with the reason. */
export const AccountFundsRejected = defineEvent({
  type: 'account.funds.rejected',
  version: 1,
  source: 'account',
  description: 'The amount of a requested payment could not be reserved; the payment is rejected. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    /** INSUFFICIENT_FUNDS, ACCOUNT_SUSPENDED, ACCOUNT_CLOSED, CURRENCY_MISMATCH, ACCOUNT_NOT_FOUND */
    reason: Type.String({ examples: ['INSUFFICIENT_FUNDS'] }),
    rejectedAt: Type.String({ format: 'date-time' }),
  }),
});
