import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** The account paid an order charge (answer to `billing.charge.requested`). */
export const AccountChargeDebited = defineEvent({
  type: 'account.charge.debited',
  version: 1,
  source: 'account',
  description: 'The amount of an order charge was debited from the customer\'s account. Key: orderId.',
  keyOf: (data) => data.orderId,
  schema: Type.Object({
    chargeId: Type.Integer({ minimum: 1 }),
    orderId: Type.Integer({ minimum: 1 }),
    accountId: Type.Integer({ minimum: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    debitedAt: Type.String({ format: 'date-time' }),
  }),
});
