import t from 'tap';
import { Order } from './order.ts';
import { MAX_MINOR_UNITS } from '../../../src/platform/money.ts';
import { orderTotal } from './order-pricing.ts';
import { OrderAmountTooLargeError } from './order.errors.ts';

const now = new Date('2026-01-01T10:00:00Z');

t.test('orderTotal › the exact sum of quantity × unit price in minor units', async (t) => {
  t.equal(orderTotal([{ quantity: 3, unitPrice: 1999 }, { quantity: 1, unitPrice: 10 }]), 6007, '3 × 19.99 + 0.10 = 60.07, no float error');
  t.equal(orderTotal([{ quantity: 3, unitPrice: 10 }]), 30, '3 × 0.10 = 0.30 exactly');
  t.equal(orderTotal([{ quantity: 2 ** 20, unitPrice: 2 ** 31 }]), MAX_MINOR_UNITS, 'the limit itself is allowed');
  t.throws(() => orderTotal([{ quantity: 2 ** 20, unitPrice: 2 ** 31 }, { quantity: 1, unitPrice: 1 }]), new OrderAmountTooLargeError(), 'one minor unit past the limit is refused, as invalid input (the HTTP edge answers 400)');
  t.throws(() => orderTotal([{ quantity: 1_000_000, unitPrice: 100_000_000_000_000 }]), { code: 'order-amount-too-large' }, 'a product past 2^53 is refused, not rounded');
});

t.test('Order.place › from items: lines in order, amount summed; from an amount: no lines', async (t) => {
  const fromItems = Order.place({ login: 'alice', currency: 'EUR', pricing: { kind: 'items', items: [{ name: 'A', quantity: 2, unitPrice: 150 }, { name: 'B', quantity: 1, unitPrice: 5 }] } }, now);
  t.match(fromItems, { login: 'alice', currency: 'EUR', amount: 305, status: 'PENDING', chargeId: null, createdAt: now });
  t.same(fromItems.items.map((item) => [item.position, item.name, item.quantity, item.unitPrice]), [[0, 'A', 2, 150], [1, 'B', 1, 5]]);
  const fromAmount = Order.place({ login: 'bob', currency: 'USD', pricing: { kind: 'amount', amount: 1250 } }, now);
  t.match(fromAmount, { amount: 1250, currency: 'USD', items: [] });
  t.notOk(fromAmount.isPaid());
});

t.test('Order › PAID or PAYMENT_FAILED once; a repeat is ignored, a contradiction refused', async (t) => {
  const paid = Order.place({ login: 'alice', currency: 'EUR', pricing: { kind: 'amount', amount: 100 } }, now);
  t.ok(paid.markPaid(7, now));
  t.match(paid, { status: 'PAID', chargeId: 7 });
  t.ok(paid.isPaid() && paid.isSettled());
  t.notOk(paid.markPaid(7, now), 'a repeated success is ignored');
  t.throws(() => paid.markPaymentFailed(7, 'INSUFFICIENT_FUNDS', now), { name: 'OrderAlreadySettledError' });

  const failed = Order.place({ login: 'alice', currency: 'EUR', pricing: { kind: 'amount', amount: 100 } }, now);
  t.ok(failed.markPaymentFailed(8, 'INSUFFICIENT_FUNDS', now));
  t.match(failed, { status: 'PAYMENT_FAILED', chargeId: 8, failureReason: 'INSUFFICIENT_FUNDS' });
  t.notOk(failed.isPaid());
  t.notOk(failed.markPaymentFailed(8, 'INSUFFICIENT_FUNDS', now), 'a repeated failure is ignored');
  t.throws(() => failed.markPaid(8, now), { name: 'OrderAlreadySettledError' });
});
