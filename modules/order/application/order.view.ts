import type { Static } from 'typebox';
import { Type } from 'typebox';
import { fromMinorUnits, MoneyValue } from '../../../src/platform/money.ts';
import { ORDER_STATUSES, type Order } from '../domain/order.ts';
import { literalUnion } from '../../../src/platform/http/schemas.ts';

export const OrderView = Type.Object({
  orderId: Type.Integer({ examples: [1] }),
  login: Type.String({ examples: ['alice'] }),
  status: literalUnion(ORDER_STATUSES),
  isPaid: Type.Boolean(),
  amount: MoneyValue,
  currency: Type.String({ examples: ['EUR'] }),
  items: Type.Array(Type.Object({ name: Type.String(), quantity: Type.Integer(), unitPrice: MoneyValue }), {
    description: 'Empty when the order was placed with an amount',
  }),
  chargeId: Type.Union([Type.Integer(), Type.Null()], { description: "Billing's charge, once it reported" }),
  failureReason: Type.Union([Type.String(), Type.Null()], { examples: ['INSUFFICIENT_FUNDS'] }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export function toOrderView(order: Order): Static<typeof OrderView> {
  return {
    orderId: order.id,
    login: order.login,
    status: order.status,
    isPaid: order.isPaid(),
    amount: fromMinorUnits(order.amount, order.currency),
    currency: order.currency,
    items: order.items.map((item) => ({ name: item.name, quantity: item.quantity, unitPrice: fromMinorUnits(item.unitPrice, order.currency) })),
    chargeId: order.chargeId,
    failureReason: order.failureReason,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
