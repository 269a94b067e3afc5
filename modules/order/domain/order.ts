import { OrderItem } from './order-item.ts';
import { orderTotal } from './order-pricing.ts';
import { OrderAlreadySettledError } from './order.errors.ts';

export const ORDER_STATUSES = ['PENDING', 'PAID', 'PAYMENT_FAILED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** How the customer priced the order: line items, or one amount. Prices in integer minor units. */
export type OrderPricing =
  | { kind: 'items'; items: ReadonlyArray<{ name: string; quantity: number; unitPrice: number }> }
  | { kind: 'amount'; amount: number };

/**
 * A customer's order. PENDING until billing reports the charge: PAID, or PAYMENT_FAILED
 * with the reason (INSUFFICIENT_FUNDS, ...). The amount is in integer minor units.
 */
export class Order {
  id!: number;
  login!: string;
  amount!: number;
  currency!: string;
  status: OrderStatus = 'PENDING';
  chargeId: number | null = null;
  failureReason: string | null = null;
  createdAt!: Date;
  updatedAt!: Date;
  /** Not a column: the repository saves and loads the lines beside the order. */
  items: OrderItem[] = [];

  static place(input: { login: string; currency: string; pricing: OrderPricing }, now: Date): Order {
    const order = new Order();
    order.login = input.login;
    order.currency = input.currency;
    if (input.pricing.kind === 'items') {
      order.items = input.pricing.items.map((item, position) => OrderItem.line(item, position));
      order.amount = orderTotal(order.items);
    } else {
      order.items = [];
      order.amount = input.pricing.amount;
    }
    order.createdAt = now;
    order.updatedAt = now;
    return order;
  }

  isPaid(): boolean {
    return this.status === 'PAID';
  }

  isSettled(): boolean {
    return this.status !== 'PENDING';
  }

  /** Billing charged the order. Returns false when this was already recorded. */
  markPaid(chargeId: number, now: Date): boolean {
    if (this.status === 'PAID') return false;
    if (this.status === 'PAYMENT_FAILED') throw new OrderAlreadySettledError(this.id, this.status, 'PAID');
    this.status = 'PAID';
    this.chargeId = chargeId;
    this.updatedAt = now;
    return true;
  }

  /** Billing could not charge the order. Returns false when this was already recorded. */
  markPaymentFailed(chargeId: number, reason: string, now: Date): boolean {
    if (this.status === 'PAYMENT_FAILED') return false;
    if (this.status === 'PAID') throw new OrderAlreadySettledError(this.id, this.status, 'PAYMENT_FAILED');
    this.status = 'PAYMENT_FAILED';
    this.chargeId = chargeId;
    this.failureReason = reason;
    this.updatedAt = now;
    return true;
  }
}
