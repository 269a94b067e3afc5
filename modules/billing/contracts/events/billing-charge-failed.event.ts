import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** An order could not be paid (e.g. not enough money); the order is answered not paid. */
export const BillingChargeFailed = defineEvent({
  type: 'billing.charge.failed',
  version: 1,
  source: 'billing',
  description: 'The order could not be charged; the balance is unchanged. Key: orderId.',
  keyOf: (data) => data.orderId,
  schema: Type.Object({
    chargeId: Type.Integer({ minimum: 1 }),
    orderId: Type.Integer({ minimum: 1 }),
    login: Type.String({ minLength: 1 }),
    accountId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    /** INSUFFICIENT_FUNDS, ACCOUNT_NOT_FOUND, ACCOUNT_SUSPENDED, ACCOUNT_CLOSED, CURRENCY_MISMATCH */
    reason: Type.String({ examples: ['INSUFFICIENT_FUNDS'] }),
    failedAt: Type.String({ format: 'date-time' }),
  }),
});
