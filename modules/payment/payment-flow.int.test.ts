import t from 'tap';
import { platformFor, TRANSPORTS } from '../../test/harness/suite.ts';
import { customerAuthorization } from '../../test/harness/tokens.ts';
import { AccountFundsRejected, AccountFundsReserved } from '../account/index.ts';
import { BillingPaymentProcessed } from '../billing/index.ts';
import { conformsTo } from '../../test/harness/scenario.ts';
import { openAccount } from '../account/testing/account.kit.ts';
import { PaymentCompleted, PaymentFailed, PaymentRequested, PaymentReversed, PaymentSubmitted } from './index.ts';
import { payment, statusBecomes, statusTrail } from './testing/payment.kit.ts';

// The payment module alone: the test plays the account and billing modules, answering
// payment.requested and payment.submitted by committing their events.

interface Created { id: number; status: string }

for (const transport of TRANSPORTS) {
  t.test(`payment flows 3–5, payment side [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['profile', 'account', 'payment'] });
    const alice = await openAccount(app, 'alice', { deposit: 1000 });
    const now = () => new Date().toISOString();

    await t.test('flow 3 › CREATED → PROCESSING → COMPLETED, payment.status carried every step', async (t) => {
      const response = await app.request({ method: 'POST', url: '/payments', payload: { userName: 'alice', amount: 150.75, currency: 'EUR', transactionType: 'INSTANT', description: 'books' } });
      t.equal(response.statusCode, 201, 'POST /payments › 201');
      const created = response.json<Created>();
      t.equal(created.status, 'CREATED');
      t.same((await app.request({ method: 'GET', url: `/payments/${created.id}/status` })).json(), { id: created.id, status: 'CREATED' }, 'GET /payments/{id}/status › {id, status}');
      t.match(await payment(app, created.id), { accountId: alice.accountId, userId: alice.userId, userName: 'alice', amount: 150.75, currency: 'EUR', transactionType: 'INSTANT', description: 'books', reason: null });

      const [requested] = await app.scenario.events(PaymentRequested, { paymentId: created.id });
      t.match(requested, { paymentId: created.id, accountId: alice.accountId, amount: 150.75, currency: 'EUR', transactionType: 'INSTANT' }, 'payment.requested asks the account to reserve');

      await app.scenario.commit(AccountFundsReserved, { paymentId: created.id, accountId: alice.accountId, amount: 150.75, currency: 'EUR', reservedAt: now() });
      await statusBecomes(app, created.id, 'PROCESSING');
      const [submitted] = await app.scenario.events(PaymentSubmitted, { paymentId: created.id });
      t.match(submitted, { paymentId: created.id, accountId: alice.accountId, amount: 150.75, currency: 'EUR', transactionType: 'INSTANT' }, 'account.funds.reserved › payment.submitted to billing');

      await app.scenario.commit(BillingPaymentProcessed, { paymentId: created.id, accountId: alice.accountId, outcome: 'SUCCEEDED', failureReason: null, processedAt: now() });
      const completed = await statusBecomes(app, created.id, 'COMPLETED');
      t.ok(completed.completedAt, 'the completion time is kept');

      const [event] = await app.scenario.events(PaymentCompleted, { paymentId: created.id });
      conformsTo(t, PaymentCompleted, event);
      t.match(event, { paymentId: created.id, accountId: alice.accountId, amount: 150.75, currency: 'EUR', transactionType: 'INSTANT', status: 'COMPLETED', completedAt: completed.completedAt });
      t.same(await statusTrail(app, created.id), [
        { status: 'CREATED', previousStatus: null, reason: null },
        { status: 'PROCESSING', previousStatus: 'CREATED', reason: null },
        { status: 'COMPLETED', previousStatus: 'PROCESSING', reason: null },
      ], 'payment.status › every step, in order, keyed by the payment');

      await t.test('flow 5 › a COMPLETED payment is reversed', async (t) => {
        const reversal = await app.request({ method: 'POST', url: `/payments/${created.id}/reversal`, payload: { reason: 'CUSTOMER_REQUEST' } });
        t.equal(reversal.statusCode, 200, 'POST /payments/{id}/reversal › 200');
        t.same(reversal.json(), { id: created.id, status: 'REVERSED' });
        t.match(await payment(app, created.id), { status: 'REVERSED', reason: 'CUSTOMER_REQUEST' });
        const [reversed] = await app.scenario.events(PaymentReversed, { paymentId: created.id });
        conformsTo(t, PaymentReversed, reversed);
        t.match(reversed, { paymentId: created.id, accountId: alice.accountId, amount: 150.75, currency: 'EUR', reversalReason: 'CUSTOMER_REQUEST' });
        t.equal((await statusTrail(app, created.id)).at(-1)?.status, 'REVERSED', 'payment.status › REVERSED');
        const again = await app.request({ method: 'POST', url: `/payments/${created.id}/reversal`, payload: { reason: 'CUSTOMER_REQUEST' } });
        t.equal(again.statusCode, 422, 'a REVERSED payment cannot be reversed again');
      });
    });

    await t.test('flow 4 › insufficient funds at booking → REJECTED with INSUFFICIENT_FUNDS', async (t) => {
      const asAlice = { authorization: await customerAuthorization('alice') };
      const created = (await app.request({ method: 'POST', url: '/payments', headers: asAlice, payload: { accountId: alice.accountId, amount: 5000, currency: 'EUR' } })).json<Created>();
      t.equal(created.status, 'CREATED', 'POST /payments by accountId › CREATED');
      await app.scenario.commit(AccountFundsRejected, { paymentId: created.id, accountId: alice.accountId, amount: 5000, currency: 'EUR', reason: 'INSUFFICIENT_FUNDS', rejectedAt: now() });
      t.match(await statusBecomes(app, created.id, 'REJECTED'), { reason: 'INSUFFICIENT_FUNDS', transactionType: 'STANDARD' });
      const [failed] = await app.scenario.events(PaymentFailed, { paymentId: created.id });
      conformsTo(t, PaymentFailed, failed);
      t.match(failed, { accountId: alice.accountId, amount: 5000, currency: 'EUR', failureReason: 'INSUFFICIENT_FUNDS', errorCode: 'ERR_BALANCE_001' });
      t.same(await app.scenario.events(PaymentSubmitted, { paymentId: created.id }), [], 'nothing is submitted to billing');
      t.same((await statusTrail(app, created.id)).map((step) => step.status), ['CREATED', 'REJECTED']);
    });

    await t.test('flow 4 › processing failure → FAILED with PROCESSING_FAILED; a later outcome is ignored', async (t) => {
      const created = (await app.request({ method: 'POST', url: '/payments', payload: { userName: 'alice', amount: 20, currency: 'EUR' } })).json<Created>();
      await app.scenario.commit(AccountFundsReserved, { paymentId: created.id, accountId: alice.accountId, amount: 20, currency: 'EUR', reservedAt: now() });
      await statusBecomes(app, created.id, 'PROCESSING');
      await app.scenario.commit(BillingPaymentProcessed, { paymentId: created.id, accountId: alice.accountId, outcome: 'FAILED', failureReason: 'GATEWAY_TIMEOUT', processedAt: now() });
      t.match(await statusBecomes(app, created.id, 'FAILED'), { reason: 'PROCESSING_FAILED', completedAt: null });
      const [failed] = await app.scenario.events(PaymentFailed, { paymentId: created.id });
      t.match(failed, { failureReason: 'PROCESSING_FAILED', errorCode: 'ERR_PROCESSING_001', amount: 20 });

      const late = await app.scenario.commit(BillingPaymentProcessed, { paymentId: created.id, accountId: alice.accountId, outcome: 'SUCCEEDED', failureReason: null, processedAt: now() });
      const lateBooking = await app.scenario.commit(AccountFundsReserved, { paymentId: created.id, accountId: alice.accountId, amount: 20, currency: 'EUR', reservedAt: now() });
      await app.scenario.handledBy('payment', late);
      await app.scenario.handledBy('payment', lateBooking);
      t.equal((await payment(app, created.id)).status, 'FAILED', 'outcomes for a FAILED payment change nothing');
      t.same((await statusTrail(app, created.id)).map((step) => step.status), ['CREATED', 'PROCESSING', 'FAILED'], 'and publish nothing');
      t.same(await app.scenario.events(PaymentCompleted, { paymentId: created.id }), []);
    });
  });
}
