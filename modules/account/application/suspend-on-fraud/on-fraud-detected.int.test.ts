import t from 'tap';
import { type TestPlatform } from '../../../../test/harness/platform.ts';
import { OPERATOR_AUTHORIZATION } from '../../../../test/harness/tokens.ts';
import { platformFor, TRANSPORTS } from '../../../../test/harness/suite.ts';
import { FraudDetected, PaymentRequested } from '../../../payment/index.ts';
import { accountOf, awaitEvent, commitEvent, handledByAccount, openAccount, outboxPayloads, type AccountBody } from '../../testing/account.kit.ts';

let nextPaymentId = 1;
const adminHeaders = { authorization: OPERATOR_AUTHORIZATION };

function fraud(account: AccountBody, severity: string) {
  return {
    paymentId: nextPaymentId++, accountId: account.accountId, userId: account.userId, amount: 15_000, currency: 'EUR',
    fraudScore: severity === 'CRITICAL' ? 0.97 : 0.8, fraudReasons: ['AMOUNT_TOO_HIGH'], detectedAt: new Date().toISOString(), severity,
  };
}

async function reportFraud(app: TestPlatform, account: AccountBody, severity: string): Promise<void> {
  await handledByAccount(app, await commitEvent(app, FraudDetected, fraud(account, severity)));
}

for (const transport of TRANSPORTS) {
  t.test(`fraud.detected [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['profile', 'account'] });
    const honest = await openAccount(app, 'honest', { deposit: 100 });
    const fraudster = await openAccount(app, 'fraudster', { deposit: 100 });

    t.test('below CRITICAL (LOW, MEDIUM, HIGH) › the account stays ACTIVE, no event', async (t) => {
      for (const severity of ['LOW', 'MEDIUM', 'HIGH']) await reportFraud(app, honest, severity);
      t.equal((await accountOf(app, 'honest')).status, 'ACTIVE');
      t.same(await outboxPayloads(app, 'account.suspended', { accountId: honest.accountId }), []);
      t.same(await outboxPayloads(app, 'account.updated', { accountId: honest.accountId }), []);
    });

    t.test('CRITICAL › suspends the account (FRAUD_SUSPECTED): account.suspended and account.updated', async (t) => {
      await reportFraud(app, fraudster, 'CRITICAL');
      t.match(await accountOf(app, 'fraudster'), { status: 'SUSPENDED', balance: 100 });
      const suspended = await awaitEvent(app, 'account.suspended', { accountId: fraudster.accountId });
      t.match(suspended, { accountId: fraudster.accountId, userId: fraudster.userId, reason: 'FRAUD_SUSPECTED', suspendedAt: String });
      t.notOk('expiresAt' in suspended, 'a fraud suspension has no end');
      t.match(await awaitEvent(app, 'account.updated', { accountId: fraudster.accountId }), {
        status: 'SUSPENDED', changes: { previousStatus: 'ACTIVE', newStatus: 'SUSPENDED' },
      });
    });

    t.test('CRITICAL again › nothing more: the account is already suspended', async (t) => {
      await reportFraud(app, fraudster, 'CRITICAL');
      t.equal((await outboxPayloads(app, 'account.suspended', { accountId: fraudster.accountId })).length, 1);
      t.equal((await outboxPayloads(app, 'account.updated', { accountId: fraudster.accountId })).length, 1);
    });

    t.test('a CRITICAL signal older than a reactivation, delivered again past the inbox › the account stays ACTIVE', async (t) => {
      const suspectedAgain = await openAccount(app, 'suspect', { deposit: 5 });
      const first = fraud(suspectedAgain, 'CRITICAL');
      await handledByAccount(app, await commitEvent(app, FraudDetected, first));
      t.equal((await accountOf(app, 'suspect')).status, 'SUSPENDED', 'the signal suspended the account');
      const reactivated = await app.request({ method: 'POST', url: `/accounts/${suspectedAgain.accountId}/reactivate`, headers: adminHeaders, payload: {} });
      t.equal(reactivated.statusCode, 200, 'an operator reactivated it');
      // A new event id carrying the same signal: what a consumer group reading from the beginning
      // sees once the original's inbox row was pruned.
      await handledByAccount(app, await commitEvent(app, FraudDetected, first));
      t.equal((await accountOf(app, 'suspect')).status, 'ACTIVE', "the old signal does not undo the operator's decision");
      t.equal((await outboxPayloads(app, 'account.suspended', { accountId: suspectedAgain.accountId })).length, 1, 'one suspension only');
      await reportFraud(app, suspectedAgain, 'CRITICAL');
      t.equal((await accountOf(app, 'suspect')).status, 'SUSPENDED', 'a new CRITICAL signal suspends it again');
    });

    t.test('the suspended account reserves nothing for new payments', async (t) => {
      await commitEvent(app, PaymentRequested, { paymentId: 99, accountId: fraudster.accountId, amount: 1, currency: 'EUR', transactionType: 'STANDARD', requestedAt: new Date().toISOString() });
      t.match(await awaitEvent(app, 'account.funds.rejected', { paymentId: 99 }), { reason: 'ACCOUNT_SUSPENDED' });
    });
  });
}
