import t from 'tap';
import { BillingChargeFailed, BillingChargeSucceeded } from '../../modules/billing/index.ts';
import { eventually } from '../harness/eventually.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';
import { answerCharge, chargeRequested } from '../../modules/billing/testing/billing.kit.ts';

interface OrderAnswer { orderId: number; status: string; isPaid?: boolean; failureReason?: string | null }
interface OrderBody { orderId: number; login: string; status: string; isPaid: boolean; amount: number; currency: string; items: Array<{ name: string; quantity: number; unitPrice: number }>; chargeId: number | null; failureReason: string | null }
interface ChargeBody { chargeId: number; orderId: number; login: string; accountId: number | null; amount: number; currency: string; status: string; failureReason: string | null }
interface Page<T> { items: T[]; total: number }

/**
 * The account module is not run here (the test answers charges as it would); billing only relays
 * the account id it is told, so any id stands for the customer's account.
 */
function accountOf(login: string): number {
  return 4000 + login.length;
}

for (const transport of TRANSPORTS) {
  t.test(`flow 7 · order paid / not paid [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['billing', 'order'] });
    const accountId = accountOf('alice');

    // Paid: the request waits while billing asks the account, which debits.
    const placing = app.request({
      method: 'POST', url: '/orders',
      payload: { login: 'alice', items: [{ name: 'Coffee beans', quantity: 3, unitPrice: 19.99 }, { name: 'Filter', quantity: 1, unitPrice: 0.1 }] },
    });
    const paidRequest = await chargeRequested(app, 'alice', { nth: 0 });
    t.match(paidRequest, { login: 'alice', amount: 60.07, currency: 'EUR' }, 'order.created › billing asks for the exact sum of quantity × unitPrice in EUR');
    await answerCharge(app, paidRequest, { debit: { accountId } });
    const paid = await placing;
    t.equal(paid.statusCode, 200, 'POST /orders › 200 once the charge outcome is known');
    t.same(paid.json(), { orderId: paidRequest.orderId, status: 'PAID', isPaid: true, failureReason: null }, 'POST /orders › isPaid=true when the account was debited');

    const succeeded = await app.scenario.events(BillingChargeSucceeded, { orderId: paidRequest.orderId });
    t.match(succeeded, [{ chargeId: paidRequest.chargeId, orderId: paidRequest.orderId, login: 'alice', accountId, amount: 60.07, currency: 'EUR' }], 'account.charge.debited › billing.charge.succeeded is published once');
    const order = (await app.request({ method: 'GET', url: `/orders/${paidRequest.orderId}` })).json<OrderBody>();
    t.match(order, {
      orderId: paidRequest.orderId, login: 'alice', status: 'PAID', isPaid: true, amount: 60.07, currency: 'EUR', chargeId: paidRequest.chargeId, failureReason: null,
      items: [{ name: 'Coffee beans', quantity: 3, unitPrice: 19.99 }, { name: 'Filter', quantity: 1, unitPrice: 0.1 }],
    }, 'GET /orders/{id} › the paid order with its lines');

    // Not paid: the original API's alias path, an amount instead of items, and an account that cannot pay.
    const placingTooMuch = app.request({ method: 'POST', url: '/order/createOrder', payload: { login: 'alice', amount: 1000, currency: 'EUR' } });
    const refusedRequest = await chargeRequested(app, 'alice', { nth: 1 });
    t.match(refusedRequest, { amount: 1000, currency: 'EUR' });
    await answerCharge(app, refusedRequest, { reject: { reason: 'INSUFFICIENT_FUNDS', accountId } });
    const notPaid = await placingTooMuch;
    t.equal(notPaid.statusCode, 200, 'POST /order/createOrder › 200 once the outcome is known');
    t.same(notPaid.json(), { orderId: refusedRequest.orderId, status: 'PAYMENT_FAILED', isPaid: false, failureReason: 'INSUFFICIENT_FUNDS' }, 'POST /order/createOrder › isPaid=false with the reason');
    t.match(await app.scenario.events(BillingChargeFailed, { orderId: refusedRequest.orderId }), [{ orderId: refusedRequest.orderId, reason: 'INSUFFICIENT_FUNDS', amount: 1000, accountId }], 'account.charge.rejected › billing.charge.failed carries the reason');

    const charges = (await app.request({ method: 'GET', url: '/billing/charges?login=alice' })).json<Page<ChargeBody>>();
    t.equal(charges.total, 2, 'GET /billing/charges › both charges of alice');
    t.match(charges.items, [
      { orderId: refusedRequest.orderId, status: 'FAILED', failureReason: 'INSUFFICIENT_FUNDS', amount: 1000 },
      { orderId: paidRequest.orderId, status: 'SUCCEEDED', failureReason: null, amount: 60.07, accountId },
    ], 'GET /billing/charges › newest first, with status and reason');
    t.same((await app.request({ method: 'GET', url: '/billing/charges?login=nobody' })).json<Page<ChargeBody>>().items, [], 'GET /billing/charges › none for another login');
    const orders = (await app.request({ method: 'GET', url: '/orders?login=alice' })).json<Page<OrderBody>>();
    t.same(orders.items.map((item) => [item.orderId, item.status]), [[refusedRequest.orderId, 'PAYMENT_FAILED'], [paidRequest.orderId, 'PAID']], 'GET /orders?login= › newest first');

    // A repeated answer from the account changes nothing and publishes nothing.
    await answerCharge(app, paidRequest, { debit: { accountId } });
    const repeatHandled = await eventually(async () => {
      const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ n: number }>>(
        `select count(*)::int as n from messaging.inbox where consumer like '%billing' and topic like '%account.charge.debited'`,
      );
      return row!.n === 2 ? row : undefined;
    }, { what: 'the repeated answer handled' });
    t.ok(repeatHandled, 'the repeated account.charge.debited was handled');
    t.equal((await app.scenario.events(BillingChargeSucceeded, { orderId: paidRequest.orderId })).length, 1, 'a repeated debit answer publishes no second billing.charge.succeeded');

    // Idempotency-Key: the same key and body replay the first answer; another body is 422.
    const keyed = { method: 'POST' as const, url: '/orders', headers: { 'idempotency-key': 'order-42' }, payload: { login: 'alice', amount: 12.5 } };
    const placingKeyed = app.request(keyed);
    const keyedRequest = await chargeRequested(app, 'alice', { nth: 2 });
    await answerCharge(app, keyedRequest, { debit: { accountId } });
    const first = await placingKeyed;
    t.equal(first.statusCode, 200);
    const replay = await app.request(keyed);
    t.equal(replay.statusCode, 200, 'POST /orders › same Idempotency-Key and body is answered again');
    t.same(replay.json(), first.json(), 'POST /orders › with the first response');
    t.equal((await app.request({ method: 'GET', url: '/orders?login=alice' })).json<Page<OrderBody>>().total, 3, 'and no second order is placed');
    const reused = await app.request({ ...keyed, payload: { login: 'alice', amount: 13 } });
    t.equal(reused.statusCode, 422, 'POST /orders › same Idempotency-Key with another body is 422');

    t.equal((await app.request({ method: 'GET', url: '/orders/999999' })).statusCode, 404, 'GET /orders/{id} › unknown order is 404');
    t.equal((await app.request({ method: 'GET', url: '/orders' })).statusCode, 400, 'GET /orders › without login is 400');
    t.equal((await app.request({ method: 'GET', url: '/billing/charges' })).statusCode, 400, 'GET /billing/charges › without login is 400');
  });

  t.test(`flow 7 · nobody answers within ORDER_WAIT_MS [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['billing', 'order'], env: { ORDER_WAIT_MS: '300' } });
    const started = performance.now();
    const response = await app.request({ method: 'POST', url: '/orders', payload: { login: 'bob', amount: 20 } });
    const waited = performance.now() - started;
    t.equal(response.statusCode, 202, 'POST /orders › 202 when the outcome is not known in time');
    const { orderId } = response.json<OrderAnswer>();
    t.same(response.json(), { orderId, status: 'PENDING' }, 'POST /orders › {orderId, status: PENDING}');
    t.ok(waited >= 300, `the request waited ORDER_WAIT_MS first (${Math.round(waited)} ms)`);
    t.match((await app.request({ method: 'GET', url: `/orders/${orderId}` })).json(), { status: 'PENDING', isPaid: false }, 'GET /orders/{id} › still PENDING');

    const request = await chargeRequested(app, 'bob', { orderId });
    await answerCharge(app, request, { reject: { reason: 'ACCOUNT_NOT_FOUND', accountId: null } });
    const settled = await eventually(async () => {
      const body = (await app.request({ method: 'GET', url: `/orders/${orderId}` })).json<OrderBody>();
      return body.status !== 'PENDING' ? body : undefined;
    }, { what: 'the order settled', timeoutMs: 30_000 });
    t.match(settled, { status: 'PAYMENT_FAILED', isPaid: false, failureReason: 'ACCOUNT_NOT_FOUND' }, 'a late outcome still settles the order');
    t.match((await app.request({ method: 'GET', url: '/billing/charges?login=bob' })).json(), { items: [{ orderId, status: 'FAILED', accountId: null, failureReason: 'ACCOUNT_NOT_FOUND' }] });
  });
}
