import t from 'tap';
import { platformFor, TRANSPORTS } from '../../../../test/harness/suite.ts';
import { customerAuthorization } from '../../../../test/harness/tokens.ts';
import { AccountBalanceChanged, AccountClosed, AccountFundsReserved, AccountSuspended, AccountUpdated } from '../../../account/index.ts';
import { BillingPaymentProcessed } from '../../../billing/index.ts';
import { openAccount } from '../../../account/testing/account.kit.ts';
import { announceAccount, payment, rowCounts, statusBecomes, statusTrail } from '../../testing/payment.kit.ts';
import { PaymentCompleted, PaymentFailed } from '../../index.ts';

interface Created { id: number; status: string }

const ACCOUNT = { accountId: 880_001, userId: 88, login: 'cache-owner' };
const now = () => new Date().toISOString();

for (const transport of TRANSPORTS) {
  t.test(`account cache › suspension, reactivation and closure [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, {
      // The test plays the account module (ACCOUNT exists only in its events); its query API is "elsewhere".
      isolate: ['payment'],
      env: { MODULE_URL_ACCOUNT: 'http://127.0.0.1:9' },
    });
    await announceAccount(app, ACCOUNT);
    const owner = await customerAuthorization(ACCOUNT.login);
    const pay = async (amount: number) => app.request({ method: 'POST', url: '/payments', headers: { authorization: owner }, payload: { accountId: ACCOUNT.accountId, amount, currency: 'EUR' } });
    const created = async (amount: number) => (await pay(amount)).json<Created>();
    const reserve = async (id: number, amount: number) => {
      await app.scenario.commit(AccountFundsReserved, { paymentId: id, accountId: ACCOUNT.accountId, amount, currency: 'EUR', reservedAt: now() });
      await statusBecomes(app, id, 'PROCESSING');
    };

    const waiting = await created(10);
    const processing = await created(11);
    await reserve(processing.id, 11);
    const done = await created(12);
    await reserve(done.id, 12);
    await app.scenario.commit(BillingPaymentProcessed, { paymentId: done.id, accountId: ACCOUNT.accountId, outcome: 'SUCCEEDED', failureReason: null, processedAt: now() });
    await statusBecomes(app, done.id, 'COMPLETED');

    await t.test('account.suspended › payments not yet submitted to billing are cancelled: REJECTED with ACCOUNT_SUSPENDED', async (t) => {
      await app.scenario.handledBy('payment', await app.scenario.commit(AccountSuspended, { ...ACCOUNT, reason: 'FRAUD_SUSPECTED', suspendedAt: now() }));
      t.match(await payment(app, waiting.id), { status: 'REJECTED', reason: 'ACCOUNT_SUSPENDED' }, 'the CREATED payment is cancelled');
      t.match((await app.scenario.events(PaymentFailed, { paymentId: waiting.id }))[0], { failureReason: 'ACCOUNT_SUSPENDED', errorCode: 'ERR_ACCOUNT_001', accountId: ACCOUNT.accountId });
      t.same(await statusTrail(app, waiting.id), [
        { status: 'CREATED', previousStatus: null, reason: null },
        { status: 'REJECTED', previousStatus: 'CREATED', reason: 'ACCOUNT_SUSPENDED' },
      ], 'payment.status › the cancellation is published');
      t.equal((await payment(app, processing.id)).status, 'PROCESSING', 'a payment billing holds is left to billing');
      t.same(await app.scenario.events(PaymentFailed, { paymentId: processing.id }), [], 'and not failed under its feet');
      t.equal((await payment(app, done.id)).status, 'COMPLETED', 'a COMPLETED payment is not touched');
    });

    await t.test('POST /payments › refuses a suspended account with 422 at once, from the cache', async (t) => {
      const before = await rowCounts(app);
      const refused = await pay(5);
      t.equal(refused.statusCode, 422);
      t.equal(refused.json<{ code: string }>().code, 'account-suspended');
      t.same(await rowCounts(app), before, 'nothing written');
    });

    await t.test("billing's outcome settles the in-flight payment; a reservation after the cancellation is ignored", async (t) => {
      const settled = await app.scenario.commit(BillingPaymentProcessed, { paymentId: processing.id, accountId: ACCOUNT.accountId, outcome: 'SUCCEEDED', failureReason: null, processedAt: now() });
      const lateBooking = await app.scenario.commit(AccountFundsReserved, { paymentId: waiting.id, accountId: ACCOUNT.accountId, amount: 10, currency: 'EUR', reservedAt: now() });
      await app.scenario.handledBy('payment', settled);
      await app.scenario.handledBy('payment', lateBooking);
      t.equal((await payment(app, processing.id)).status, 'COMPLETED', 'billing SUCCEEDED › COMPLETED: both modules agree');
      t.equal((await app.scenario.events(PaymentCompleted, { paymentId: processing.id })).length, 1, 'payment.completed once, so the account captures the hold');
      t.equal((await payment(app, waiting.id)).status, 'REJECTED', 'account.funds.reserved after a cancel changes nothing');
      t.equal((await statusTrail(app, waiting.id)).length, 2, 'no further payment.status');
    });

    await t.test('account.updated to ACTIVE › payments are accepted again', async (t) => {
      await app.scenario.handledBy('payment', await app.scenario.commit(AccountUpdated, {
        ...ACCOUNT, status: 'ACTIVE', updatedAt: now(), changes: { previousStatus: 'SUSPENDED', newStatus: 'ACTIVE' },
      }));
      const accepted = await pay(6);
      t.equal(accepted.statusCode, 201);
      t.equal(accepted.json<Created>().status, 'CREATED');
    });

    await t.test('a late account.suspended, older than the cached reactivation (another topic) › changes nothing', async (t) => {
      const pending = await created(6.5);
      const earlier = new Date(Date.now() - 60_000).toISOString();
      await app.scenario.handledBy('payment', await app.scenario.commit(AccountSuspended, { ...ACCOUNT, reason: 'FRAUD_SUSPECTED', suspendedAt: earlier }));
      t.equal((await payment(app, pending.id)).status, 'CREATED', 'the pending payment is not cancelled');
      t.equal((await pay(6.6)).statusCode, 201, 'POST /payments › still accepted');
    });

    await t.test('account.closed › pending payments REJECTED with ACCOUNT_CLOSED, new ones 422', async (t) => {
      const pending = await created(7);
      await app.scenario.handledBy('payment', await app.scenario.commit(AccountClosed, { ...ACCOUNT, reason: 'CUSTOMER_REQUEST', closedAt: now() }));
      t.match(await payment(app, pending.id), { status: 'REJECTED', reason: 'ACCOUNT_CLOSED' });
      t.match((await app.scenario.events(PaymentFailed, { paymentId: pending.id }))[0], { failureReason: 'ACCOUNT_CLOSED', errorCode: 'ERR_ACCOUNT_002' });
      const refused = await pay(8);
      t.equal(refused.statusCode, 422);
      t.equal(refused.json<{ code: string }>().code, 'account-closed');
    });
  });
}

t.test('account cache › event-fed status wins over the account module\'s answer, and balances are kept [local]', async (t) => {
  const app = await platformFor(t, 'local');
  const sam = await openAccount(app, 'sam');
  // Only the payment module hears this suspension: the account module still says ACTIVE.
  await app.scenario.handledBy('payment', await app.scenario.commit(AccountSuspended, { accountId: sam.accountId, userId: sam.userId, reason: 'FRAUD_SUSPECTED', suspendedAt: now() }));
  const refused = await app.request({ method: 'POST', url: '/payments', payload: { userName: 'sam', amount: 1, currency: 'EUR' } });
  t.equal(refused.statusCode, 422, 'POST /payments › the login is looked up in the account module, the status comes from the cache');
  t.equal(refused.json<{ code: string }>().code, 'account-suspended');

  await app.scenario.handledBy('payment', await app.scenario.commit(AccountBalanceChanged, {
    accountId: sam.accountId, previousBalance: 0, newBalance: 42.5, changeAmount: 42.5, currency: 'EUR', changeReason: 'CREDIT', timestamp: now(),
  }));
  const [cached] = await app.container.cradle.orm.em.fork().execute<Array<{ balance: number; login: string; status: string }>>(
    'select balance, login, status from payment.account_cache where account_id = ?', [sam.accountId],
  );
  t.same(cached, { balance: 4250, login: 'sam', status: 'SUSPENDED' }, 'account.balance.changed › the cached balance, in minor units');
});
