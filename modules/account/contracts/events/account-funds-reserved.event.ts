import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** Funds for a payment are booked (reserved); the payment goes on to processing. */
export const AccountFundsReserved = defineEvent({
  type: 'account.funds.reserved',
  version: 1,
  source: 'account',
  description: 'The amount of a requested payment is reserved on the account; the payment goes on to processing. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    reservedAt: Type.String({ format: 'date-time' }),
  }),
});
