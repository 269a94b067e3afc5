import t from 'tap';
import { eventually } from '../harness/eventually.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';
import { accountOf, openAccount } from '../../modules/account/testing/account.kit.ts';
import { operatorHeaders } from '../harness/tokens.ts';
import { conformsTo } from '../harness/scenario.ts';
import { FraudDetected, PaymentCompleted, PaymentFailed, PaymentReversed, PaymentStatusChanged } from '../../modules/payment/index.ts';
import { notificationTypes } from '../../modules/notification/testing/notification.kit.ts';
import { paymentStatus } from '../../modules/payment/testing/payment.kit.ts';

const env = { PROCESSING_DELAY_MIN_MS: '10', PROCESSING_DELAY_MAX_MS: '50', FRAUD_AMOUNT_THRESHOLD: '1000' };

async function pay(app: Awaited<ReturnType<typeof platformFor>>, body: Record<string, unknown>) {
  return app.request({ method: 'POST', url: '/payments', payload: { currency: 'EUR', ...body } });
}

for (const transport of TRANSPORTS) {
  t.test(`flow 3 · payment success [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { env });
    await openAccount(app, 'alice', { deposit: 200 });
    const created = await pay(app, { userName: 'alice', amount: 150.75 });
    t.equal(created.statusCode, 201, 'POST /payments › 201');
    const { id, status } = created.json<{ id: number; status: string }>();
    t.equal(status, 'CREATED', 'the payment starts CREATED');
    t.equal(await paymentStatus(app, id, (s) => s === 'COMPLETED'), 'COMPLETED', 'funds reserved → processed → COMPLETED');
    await eventually(async () => (await accountOf(app, 'alice')).reserved === 0 || undefined, { what: 'capture' });
    t.match(await accountOf(app, 'alice'), { balance: 49.25, reserved: 0, available: 49.25 }, 'the account is debited exactly');

    const statuses = await app.scenario.events(PaymentStatusChanged, { paymentId: id });
    t.same(statuses.map((s) => s.status), ['CREATED', 'PROCESSING', 'COMPLETED'], 'payment.status carried every step, in order');
    const [completed] = await app.scenario.events(PaymentCompleted);
    conformsTo(t, PaymentCompleted, completed);
    t.match(completed, { paymentId: id, amount: 150.75, currency: 'EUR', transactionType: 'STANDARD', status: 'COMPLETED' });
    await notificationTypes(app, 'alice', ['ACCOUNT_CREATED', 'PAYMENT_COMPLETED']);
    t.pass('a notification of the completed payment is stored');
  });

  t.test(`flow 4 · payment rejected at booking, and failed in processing [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { env });
    await openAccount(app, 'bob', { deposit: 100 });
    const tooMuch = (await pay(app, { userName: 'bob', amount: 100.01 })).json<{ id: number }>();
    t.equal(await paymentStatus(app, tooMuch.id, (s) => s === 'REJECTED'), 'REJECTED', 'insufficient funds at booking → REJECTED');
    const [failed] = await app.scenario.events(PaymentFailed);
    conformsTo(t, PaymentFailed, failed);
    t.match(failed, { paymentId: tooMuch.id, failureReason: 'INSUFFICIENT_FUNDS' });
    t.match(await accountOf(app, 'bob'), { balance: 100, reserved: 0 }, 'nothing debited, nothing reserved');
    await notificationTypes(app, 'bob', ['PAYMENT_FAILED']);
  });

  t.test(`flow 4 · a processing failure releases the reservation [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { env: { ...env, PROCESSING_FAILURE_RATE: '1' } });
    await openAccount(app, 'carl', { deposit: 100 });
    const { id } = (await pay(app, { userName: 'carl', amount: 40 })).json<{ id: number }>();
    t.equal(await paymentStatus(app, id, (s) => s === 'FAILED'), 'FAILED', 'processing failure → FAILED');
    await eventually(async () => (await accountOf(app, 'carl')).reserved === 0 || undefined, { what: 'release' });
    t.match(await accountOf(app, 'carl'), { balance: 100, reserved: 0, available: 100 }, 'the reservation is released, the balance untouched');
  });

  t.test(`flow 5 · reversal re-credits the account [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { env });
    await openAccount(app, 'dana', { deposit: 80 });
    const { id } = (await pay(app, { userName: 'dana', amount: 30 })).json<{ id: number }>();
    await paymentStatus(app, id, (s) => s === 'COMPLETED');
    await eventually(async () => (await accountOf(app, 'dana')).balance === 50 || undefined, { what: 'capture' });
    const reversed = await app.request({ method: 'POST', url: `/payments/${id}/reversal`, payload: { reason: 'CUSTOMER_REQUEST' } });
    t.equal(reversed.statusCode, 200, 'POST /payments/{id}/reversal › 200');
    t.equal(await paymentStatus(app, id, (s) => s === 'REVERSED'), 'REVERSED');
    await eventually(async () => (await accountOf(app, 'dana')).balance === 80 || undefined, { what: 're-credit' });
    t.match(await accountOf(app, 'dana'), { balance: 80, reserved: 0 }, 'the account is re-credited');
    const [payload] = await app.scenario.events(PaymentReversed);
    conformsTo(t, PaymentReversed, payload);
    const again = await app.request({ method: 'POST', url: `/payments/${id}/reversal`, payload: { reason: 'CUSTOMER_REQUEST' } });
    t.equal(again.statusCode, 422, 'only a COMPLETED payment can be reversed');
    await notificationTypes(app, 'dana', ['PAYMENT_REVERSED']);
  });

  t.test(`flow 6 · fraud, suspension and reactivation [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { env });
    const { accountId } = await openAccount(app, 'eve', { deposit: 50_000 });
    const high = (await pay(app, { userName: 'eve', amount: 1500 })).json<{ id: number; status: string }>();
    t.equal(high.status, 'REJECTED', 'a payment over the threshold is REJECTED at once');
    const [fraud] = await app.scenario.events(FraudDetected);
    conformsTo(t, FraudDetected, fraud);
    t.not(fraud?.severity, 'CRITICAL', 'a high amount alone is not CRITICAL');
    t.equal((await accountOf(app, 'eve')).status, 'ACTIVE', 'the account stays active');

    const critical = (await pay(app, { userName: 'eve', amount: 20_000 })).json<{ id: number; status: string }>();
    t.equal(critical.status, 'REJECTED', 'an extreme amount is REJECTED');
    await eventually(async () => (await accountOf(app, 'eve')).status === 'SUSPENDED' || undefined, { what: 'suspension' });
    t.pass('CRITICAL fraud suspends the account');
    const refused = await eventually(async () => {
      const response = await pay(app, { userName: 'eve', amount: 10 });
      return response.statusCode === 422 ? response : undefined;
    }, { what: 'payments refused' });
    t.match(refused.json(), { status: 422 }, 'further payments are refused with 422 at once');
    await notificationTypes(app, 'eve', ['FRAUD_DETECTED', 'ACCOUNT_SUSPENDED']);

    const reactivated = await app.request({ method: 'POST', url: `/accounts/${accountId}/reactivate`, headers: operatorHeaders });
    t.equal(reactivated.statusCode, 200, 'POST /accounts/{id}/reactivate › 200');
    const accepted = await eventually(async () => {
      const response = await pay(app, { userName: 'eve', amount: 10 });
      return response.statusCode === 201 ? response.json<{ id: number; status: string }>() : undefined;
    }, { what: 'payments accepted again' });
    t.equal(accepted.status, 'CREATED', 'after reactivation payments are accepted again');
    t.equal(await paymentStatus(app, accepted.id, (s) => s === 'COMPLETED'), 'COMPLETED');
  });

  t.test(`flow 7 · order paid and order not paid [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { env });
    await openAccount(app, 'fay', { deposit: 100 });
    const paid = await app.request({ method: 'POST', url: '/orders', payload: { login: 'fay', items: [{ name: 'book', quantity: 2, unitPrice: 30.5 }] } });
    t.equal(paid.statusCode, 200, 'POST /orders within the balance › 200');
    t.match(paid.json(), { isPaid: true }, 'isPaid=true');
    t.match(await accountOf(app, 'fay'), { balance: 39 }, 'the balance is debited by the order total');
    const unpaid = await app.request({ method: 'POST', url: '/order/createOrder', payload: { login: 'fay', amount: 500 } });
    t.equal(unpaid.statusCode, 200, 'POST /order/createOrder above the balance › 200');
    t.match(unpaid.json(), { isPaid: false }, 'isPaid=false');
    t.match(await accountOf(app, 'fay'), { balance: 39 }, 'the balance is unchanged');
    const types = await notificationTypes(app, 'fay', ['ORDER_PAID', 'ORDER_NOT_PAID']);
    t.ok(types.length >= 2);
    const { items } = (await app.request({ method: 'GET', url: '/notice/notices/?login=fay' })).json<{ items: Array<{ type: string; message: string }> }>();
    t.match(items.find((item) => item.type === 'ORDER_NOT_PAID')?.message, /insufficient funds/i, 'the unpaid order notification says "insufficient funds"');
    t.equal(items[0]?.type, 'ORDER_NOT_PAID', 'notifications are newest first');
  });
}
