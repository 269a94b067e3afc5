import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** The account could not pay an order charge (answer to `billing.charge.requested`). */
export const AccountChargeRejected = defineEvent({
  type: 'account.charge.rejected',
  version: 1,
  source: 'account',
  description: 'An order charge could not be debited; the balance is unchanged. Key: orderId.',
  keyOf: (data) => data.orderId,
  schema: Type.Object({
    chargeId: Type.Integer({ minimum: 1 }),
    orderId: Type.Integer({ minimum: 1 }),
    /** Null when no account exists for the login. */
    accountId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    /** INSUFFICIENT_FUNDS, ACCOUNT_NOT_FOUND, ACCOUNT_SUSPENDED, ACCOUNT_CLOSED, CURRENCY_MISMATCH */
    reason: Type.String({ examples: ['INSUFFICIENT_FUNDS'] }),
    rejectedAt: Type.String({ format: 'date-time' }),
  }),
});
