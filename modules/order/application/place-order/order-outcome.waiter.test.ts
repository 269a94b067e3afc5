import t from 'tap';
import type { OrderStatus } from '../../domain/order.ts';
import { OrderOutcomeWaiters } from './order-outcome.waiter.ts';

/** An order table of one row whose status the test sets, counting reads. */
function fakeOrders() {
  const state = { status: 'PENDING' as OrderStatus, failureReason: null as string | null, reads: 0 };
  const read = async (orderId: number) => {
    state.reads++;
    return orderId === 1 ? { id: 1, status: state.status, failureReason: state.failureReason } : null;
  };
  return { state, read };
}

t.test('OrderOutcomeWaiters › answers at once when the order is already settled', async (t) => {
  const { state, read } = fakeOrders();
  state.status = 'PAID';
  const waiters = new OrderOutcomeWaiters(read, 10_000);
  t.same(await waiters.waitForOutcome(1, 5000), { orderId: 1, status: 'PAID', failureReason: null });
  t.equal(state.reads, 1);
});

t.test('OrderOutcomeWaiters › a settlement notice wakes the waiter long before its fallback poll', async (t) => {
  const { state, read } = fakeOrders();
  const waiters = new OrderOutcomeWaiters(read, 60_000);
  const started = performance.now();
  const waiting = waiters.waitForOutcome(1, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(waiters.size, 1, 'one request is waiting');
  state.status = 'PAYMENT_FAILED';
  state.failureReason = 'INSUFFICIENT_FUNDS';
  waiters.settled(1);
  t.same(await waiting, { orderId: 1, status: 'PAYMENT_FAILED', failureReason: 'INSUFFICIENT_FUNDS' });
  t.ok(performance.now() - started < 5000, 'woken by the notice, not by the 60 s poll');
  t.equal(waiters.size, 0, 'the waiter is gone afterwards');
});

t.test('OrderOutcomeWaiters › a notice for another order does not end the wait; the fallback poll finds a settlement without notice', async (t) => {
  const { state, read } = fakeOrders();
  const waiters = new OrderOutcomeWaiters(read, 30);
  const waiting = waiters.waitForOutcome(1, 10_000);
  waiters.settled(2);
  await new Promise((resolve) => setTimeout(resolve, 50));
  state.status = 'PAID';
  t.match(await waiting, { status: 'PAID' }, 'found by polling the row');
  t.ok(state.reads >= 2);
});

t.test('OrderOutcomeWaiters › gives up after the timeout with undefined', async (t) => {
  const { read } = fakeOrders();
  const waiters = new OrderOutcomeWaiters(read, 20);
  const started = performance.now();
  t.equal(await waiters.waitForOutcome(1, 120), undefined);
  t.ok(performance.now() - started >= 110, 'waited the whole timeout');
  t.equal(await waiters.waitForOutcome(1, 0), undefined, 'a zero wait reads once and answers');
  t.equal(waiters.size, 0);
});
