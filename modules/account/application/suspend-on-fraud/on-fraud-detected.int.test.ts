import t from 'tap';
import { type TestPlatform } from '../../../../test/harness/platform.ts';
import { OPERATOR_AUTHORIZATION } from '../../../../test/harness/tokens.ts';
import { platformFor, TRANSPORTS } from '../../../../test/harness/suite.ts';
import { FraudDetected, PaymentRequested } from '../../../payment/index.ts';
import { accountOf, openAccount, type AccountBody } from '../../testing/account.kit.ts';
import { AccountFundsRejected, AccountSuspended, AccountUpdated } from '../../index.ts';

let nextPaymentId = 1;
const operatorHeaders = { authorization: OPERATOR_AUTHORIZATION };

function fraud(account: AccountBody, severity: string) {
  return {
    paymentId: nextPaymentId++, accountId: account.accountId, userId: account.userId, amount: 15_000, currency: 'EUR',
    fraudScore: severity === 'CRITICAL' ? 0.97 : 0.8, fraudReasons: ['AMOUNT_TOO_HIGH'], detectedAt: new Date().toISOString(), severity,
  };
}

async function reportFraud(app: TestPlatform, account: AccountBody, severity: string): Promise<void> {
  await app.scenario.handledBy('account', await app.scenario.commit(FraudDetected, fraud(account, severity)));
}

for (const transport of TRANSPORTS) {
  t.test(`fraud.detected [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['profile', 'account'] });
    const honest = await openAccount(app, 'honest', { deposit: 100 });
    const fraudster = await openAccount(app, 'fraudster', { deposit: 100 });

    t.test('below CRITICAL (LOW, MEDIUM, HIGH) › the account stays ACTIVE, no event', async (t) => {
      for (const severity of ['LOW', 'MEDIUM', 'HIGH']) await reportFraud(app, honest, severity);
      t.equal((await accountOf(app, 'honest')).status, 'ACTIVE');
      t.same(await app.scenario.events(AccountSuspended, { accountId: honest.accountId }), []);
      t.same(await app.scenario.events(AccountUpdated, { accountId: honest.accountId }), []);
    });

    t.test('CRITICAL › suspends the account (FRAUD_SUSPECTED): account.suspended and account.updated', async (t) => {
      await reportFraud(app, fraudster, 'CRITICAL');
      t.match(await accountOf(app, 'fraudster'), { status: 'SUSPENDED', balance: 100 });
      const suspended = await app.scenario.waitForEvent(AccountSuspended, { accountId: fraudster.accountId });
      t.match(suspended, { accountId: fraudster.accountId, userId: fraudster.userId, reason: 'FRAUD_SUSPECTED', suspendedAt: String });
      t.notOk('expiresAt' in suspended, 'a fraud suspension has no end');
      t.match(await app.scenario.waitForEvent(AccountUpdated, { accountId: fraudster.accountId }), {
        status: 'SUSPENDED', changes: { previousStatus: 'ACTIVE', newStatus: 'SUSPENDED' },
      });
    });

    t.test('CRITICAL again › nothing more: the account is already suspended', async (t) => {
      await reportFraud(app, fraudster, 'CRITICAL');
      t.equal((await app.scenario.events(AccountSuspended, { accountId: fraudster.accountId })).length, 1);
      t.equal((await app.scenario.events(AccountUpdated, { accountId: fraudster.accountId })).length, 1);
    });

    t.test('a CRITICAL signal older than a reactivation, delivered again past the inbox › the account stays ACTIVE', async (t) => {
      const suspectedAgain = await openAccount(app, 'suspect', { deposit: 5 });
      const first = fraud(suspectedAgain, 'CRITICAL');
      await app.scenario.handledBy('account', await app.scenario.commit(FraudDetected, first));
      t.equal((await accountOf(app, 'suspect')).status, 'SUSPENDED', 'the signal suspended the account');
      const reactivated = await app.request({ method: 'POST', url: `/accounts/${suspectedAgain.accountId}/reactivate`, headers: operatorHeaders, payload: {} });
      t.equal(reactivated.statusCode, 200, 'an operator reactivated it');
      // A new event id carrying the same signal: what a consumer group reading from the beginning
      // sees once the original's inbox row was pruned.
      await app.scenario.handledBy('account', await app.scenario.commit(FraudDetected, first));
      t.equal((await accountOf(app, 'suspect')).status, 'ACTIVE', "the old signal does not undo the operator's decision");
      t.equal((await app.scenario.events(AccountSuspended, { accountId: suspectedAgain.accountId })).length, 1, 'one suspension only');
      await reportFraud(app, suspectedAgain, 'CRITICAL');
      t.equal((await accountOf(app, 'suspect')).status, 'SUSPENDED', 'a new CRITICAL signal suspends it again');
    });

    t.test('the suspended account reserves nothing for new payments', async (t) => {
      await app.scenario.commit(PaymentRequested, { paymentId: 99, accountId: fraudster.accountId, amount: 1, currency: 'EUR', transactionType: 'STANDARD', requestedAt: new Date().toISOString() });
      t.match(await app.scenario.waitForEvent(AccountFundsRejected, { paymentId: 99 }), { reason: 'ACCOUNT_SUSPENDED' });
    });
  });
}
