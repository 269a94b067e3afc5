import t from 'tap';
import { platformFor, TRANSPORTS } from '../../../../test/harness/suite.ts';
import { BillingChargeRequested } from '../../../billing/index.ts';
import { PaymentRequested } from '../../../payment/index.ts';
import { accountOf, deadLetterCount, ledgerOf, openAccount } from '../../testing/account.kit.ts';
import { AccountBalanceChanged, AccountChargeDebited, AccountChargeRejected, AccountFundsReserved } from '../../index.ts';
import { operatorHeaders } from '../../../../test/harness/tokens.ts';

const at = () => new Date().toISOString();

function charge(chargeId: number, login: string, amount: number, currency = 'EUR') {
  return { chargeId, orderId: 1000 + chargeId, login, amount, currency, requestedAt: at() };
}

for (const transport of TRANSPORTS) {
  t.test(`billing.charge.requested › order charges [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['profile', 'account'] });
    const buyer = await openAccount(app, 'buyer', { deposit: 100 });
    const id = buyer.accountId;

    t.test('debits an order within the balance: account.charge.debited and account.balance.changed DEBIT', async (t) => {
      await app.scenario.commit(BillingChargeRequested, charge(1, 'buyer', 60.5));
      t.match(await app.scenario.waitForEvent(AccountChargeDebited, { chargeId: 1 }), {
        chargeId: 1, orderId: 1001, accountId: id, amount: 60.5, currency: 'EUR', debitedAt: String,
      });
      t.match(await app.scenario.waitForEvent(AccountBalanceChanged, { accountId: id, changeReason: 'DEBIT' }), {
        previousBalance: 100, newBalance: 39.5, changeAmount: -60.5, currency: 'EUR',
      });
      t.match(await accountOf(app, 'buyer'), { balance: 39.5, reserved: 0, available: 39.5 });
      t.match((await ledgerOf(app, id)).at(-1), { kind: 'ORDER_CHARGE', amount: -6050, balance_after: 3950, reference: 'charge:1' });
    });

    t.test('refuses an order above the balance with INSUFFICIENT_FUNDS, balance unchanged', async (t) => {
      await app.scenario.commit(BillingChargeRequested, charge(2, 'buyer', 39.51));
      t.match(await app.scenario.waitForEvent(AccountChargeRejected, { chargeId: 2 }), {
        chargeId: 2, orderId: 1002, accountId: id, amount: 39.51, currency: 'EUR', reason: 'INSUFFICIENT_FUNDS', rejectedAt: String,
      });
      t.match(await accountOf(app, 'buyer'), { balance: 39.5 });
      t.same(await app.scenario.events(AccountChargeDebited, { chargeId: 2 }), []);
    });

    t.test('funds reserved for a payment cannot pay an order', async (t) => {
      await app.scenario.commit(PaymentRequested, { paymentId: 1, accountId: id, amount: 30, currency: 'EUR', transactionType: 'STANDARD', requestedAt: at() });
      await app.scenario.waitForEvent(AccountFundsReserved, { paymentId: 1 });
      await app.scenario.commit(BillingChargeRequested, charge(3, 'buyer', 9.51));
      t.match(await app.scenario.waitForEvent(AccountChargeRejected, { chargeId: 3 }), { reason: 'INSUFFICIENT_FUNDS' });
      await app.scenario.commit(BillingChargeRequested, charge(4, 'buyer', 9.5));
      await app.scenario.waitForEvent(AccountChargeDebited, { chargeId: 4 });
      t.match(await accountOf(app, 'buyer'), { balance: 30, reserved: 30, available: 0 }, 'exactly the available amount could be charged');
    });

    t.test('refuses an unknown login, another currency and a suspended account, with the reason', async (t) => {
      await app.scenario.commit(BillingChargeRequested, charge(5, 'nobody', 1));
      t.match(await app.scenario.waitForEvent(AccountChargeRejected, { chargeId: 5 }), { accountId: null, reason: 'ACCOUNT_NOT_FOUND' });
      await app.scenario.commit(BillingChargeRequested, charge(6, 'buyer', 1, 'USD'));
      t.match(await app.scenario.waitForEvent(AccountChargeRejected, { chargeId: 6 }), { accountId: id, currency: 'USD', reason: 'CURRENCY_MISMATCH' });
      const other = await openAccount(app, 'suspended-buyer', { deposit: 10 });
      t.equal((await app.request({ method: 'POST', url: `/accounts/${other.accountId}/suspend`, headers: operatorHeaders, payload: { reason: 'REVIEW' } })).statusCode, 200);
      await app.scenario.commit(BillingChargeRequested, charge(7, 'suspended-buyer', 1));
      t.match(await app.scenario.waitForEvent(AccountChargeRejected, { chargeId: 7 }), { accountId: other.accountId, reason: 'ACCOUNT_SUSPENDED' });
      t.match(await accountOf(app, 'suspended-buyer'), { balance: 10 }, 'the suspended account was not debited');
    });

    t.test('a charge requested again is debited once', async (t) => {
      const again = await app.scenario.commit(BillingChargeRequested, charge(1, 'buyer', 60.5));
      await app.scenario.handledBy('account', again);
      t.match(await accountOf(app, 'buyer'), { balance: 30 });
      t.equal((await app.scenario.events(AccountChargeDebited, { chargeId: 1 })).length, 1);
      t.equal(await deadLetterCount(app), 0, 'no event ended in the dead-letter queue');
    });
  });
}
