import { Type } from 'typebox';
import { CurrencyCode, MoneyAmount } from '../../../../src/platform/money.ts';
import { literalUnion } from '../../../../src/platform/http/schemas.ts';
import type { OrderStatus } from '../../domain/order.ts';

export const MAX_ORDER_ITEMS = 100;
export const MAX_ITEM_QUANTITY = 1_000_000;

export const OrderLineBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, examples: ['Coffee beans 1 kg'] }),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_ITEM_QUANTITY, examples: [2] }),
    unitPrice: MoneyAmount('Price of one unit, at most 2 fraction digits'),
  },
  { additionalProperties: false },
);

export const PlaceOrderBody = Type.Object(
  {
    login: Type.String({ pattern: '^[A-Za-z0-9._-]{3,64}$', description: 'The paying person', examples: ['alice'] }),
    items: Type.Optional(Type.Array(OrderLineBody, {
      minItems: 1,
      maxItems: MAX_ORDER_ITEMS,
      description: 'The lines of the order; the amount is the sum of quantity × unitPrice. Give either items or amount.',
    })),
    amount: Type.Optional(MoneyAmount('The order total when no items are given. Give either items or amount.')),
    currency: Type.Optional({ ...CurrencyCode, description: 'ISO 4217 currency of the order (default EUR)' }),
  },
  { additionalProperties: false },
);

export const OrderSettledResponse = Type.Object({
  orderId: Type.Integer({ examples: [1] }),
  status: literalUnion(['PAID', 'PAYMENT_FAILED'] as const satisfies readonly OrderStatus[]),
  isPaid: Type.Boolean(),
  failureReason: Type.Union([Type.String(), Type.Null()], { description: 'Why the charge failed, e.g. INSUFFICIENT_FUNDS', examples: [null] }),
});

export const OrderPendingResponse = Type.Object({
  orderId: Type.Integer({ examples: [1] }),
  status: Type.Literal('PENDING' satisfies OrderStatus, { description: 'The charge outcome was not known within ORDER_WAIT_MS; poll GET /orders/{id}' }),
});
