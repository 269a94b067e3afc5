import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** Billing asks the account module to debit an order's amount (an internal step of charging an order). */
export const BillingChargeRequested = defineEvent({
  type: 'billing.charge.requested',
  version: 1,
  source: 'billing',
  description: 'Billing asks for the debit of an order charge from the customer\'s account. Key: orderId.',
  keyOf: (data) => data.orderId,
  schema: Type.Object({
    chargeId: Type.Integer({ minimum: 1 }),
    orderId: Type.Integer({ minimum: 1 }),
    login: Type.String({ minLength: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    requestedAt: Type.String({ format: 'date-time' }),
  }),
});
