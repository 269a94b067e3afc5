import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** An order was saved and waits for its charge. */
export const OrderCreated = defineEvent({
  type: 'order.created',
  version: 1,
  source: 'order',
  description: 'An order was saved; billing charges the customer for it. Key: orderId.',
  keyOf: (data) => data.orderId,
  schema: Type.Object({
    orderId: Type.Integer({ minimum: 1 }),
    login: Type.String({ minLength: 1 }),
    amount: Type.Number({ exclusiveMinimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    items: Type.Array(Type.Object({
      name: Type.String(),
      quantity: Type.Integer({ minimum: 1 }),
      unitPrice: Type.Number({ exclusiveMinimum: 0 }),
    })),
    createdAt: Type.String({ format: 'date-time' }),
  }),
});
