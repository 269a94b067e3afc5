import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** An order was paid: its amount left the customer's balance. */
export const BillingChargeSucceeded = defineEvent({
  type: 'billing.charge.succeeded',
  version: 1,
  source: 'billing',
  description: 'The order\'s amount was debited from the customer\'s account. Key: orderId.',
  keyOf: (data) => data.orderId,
  schema: Type.Object({
    chargeId: Type.Integer({ minimum: 1 }),
    orderId: Type.Integer({ minimum: 1 }),
    login: Type.String({ minLength: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    chargedAt: Type.String({ format: 'date-time' }),
  }),
});
