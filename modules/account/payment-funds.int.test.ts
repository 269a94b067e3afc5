import { randomUUID } from 'node:crypto';
import t from 'tap';
import { envelopeHeaders } from '../../src/platform/messaging/envelope.ts';
import { eventually } from '../../test/harness/eventually.ts';
import type { TestPlatform } from '../../test/harness/platform.ts';
import { platformFor, TRANSPORTS } from '../../test/harness/suite.ts';
import { PaymentCompleted, PaymentFailed, PaymentRequested, PaymentReversed } from '../payment/index.ts';
import { accountOf, deadLetterCount, holdOf, ledgerOf, openAccount } from './testing/account.kit.ts';
import { AccountBalanceChanged, AccountFundsRejected, AccountFundsReserved } from './index.ts';
import { operatorHeaders } from '../../test/harness/tokens.ts';

const at = () => new Date().toISOString();

function requested(paymentId: number, accountId: number, amount: number, currency = 'EUR') {
  return { paymentId, accountId, amount, currency, transactionType: 'STANDARD', requestedAt: at() };
}
function completed(paymentId: number, accountId: number, amount: number) {
  return { paymentId, accountId, amount, currency: 'EUR', transactionType: 'STANDARD', status: 'COMPLETED' as const, completedAt: at() };
}
function failed(paymentId: number, accountId: number, amount: number, failureReason: string) {
  return { paymentId, accountId, amount, currency: 'EUR', failureReason, errorCode: 'ERR_TEST', failedAt: at() };
}
function reversed(paymentId: number, accountId: number, amount: number) {
  return { paymentId, accountId, amount, currency: 'EUR', reversalReason: 'CUSTOMER_REQUEST', originalPaymentDate: at(), reversedAt: at() };
}

async function reserve(app: TestPlatform, paymentId: number, accountId: number, amount: number) {
  await app.scenario.commit(PaymentRequested, requested(paymentId, accountId, amount));
  return app.scenario.waitForEvent(AccountFundsReserved, { paymentId });
}

/** The same wire message (same event id) twice, as a broker redelivering after a lost offset commit would. */
async function deliverTwice(app: TestPlatform, data: ReturnType<typeof completed>): Promise<string> {
  const id = randomUUID();
  const key = String(data.accountId);
  const message = {
    topic: app.container.cradle.topics.of(PaymentCompleted),
    key,
    value: JSON.stringify(data),
    headers: envelopeHeaders({
      specversion: '1.0', id, type: PaymentCompleted.type, source: 'payment', time: at(),
      subject: key, datacontenttype: 'application/json', dataversion: PaymentCompleted.version,
    }),
  };
  await app.container.cradle.transport.publish([message]);
  await app.container.cradle.transport.publish([message]);
  return id;
}

async function duplicatesSeenByAccount(app: TestPlatform): Promise<number> {
  const counted = await app.container.cradle.metrics.consumerMessages.get();
  return counted.values
    .filter((value) => value.labels['outcome'] === 'duplicate' && value.labels['consumer'] === `${app.config.kafka.groupPrefix}.account`)
    .reduce((sum, value) => sum + value.value, 0);
}

for (const transport of TRANSPORTS) {
  t.test(`account funds for payments [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['profile', 'account'] });
    const payer = await openAccount(app, 'payer', { deposit: 1000 });
    const id = payer.accountId;

    t.test('payment.requested › reserves the amount and answers account.funds.reserved', async (t) => {
      const answer = await reserve(app, 1, id, 150.75);
      t.match(answer, { paymentId: 1, accountId: id, amount: 150.75, currency: 'EUR', reservedAt: String });
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 150.75, available: 849.25 }, 'balance stays, the amount is reserved');
      t.same(await holdOf(app, 1), { status: 'HELD', amount: 15075 });
      t.same(await app.scenario.events(AccountBalanceChanged, { accountId: id, changeReason: 'DEBIT' }), [], 'a reservation is not a balance change');
    });

    t.test('payment.completed › captures: balance and reserved drop by the amount, account.balance.changed DEBIT', async (t) => {
      await app.scenario.commit(PaymentCompleted, completed(1, id, 150.75));
      const changed = await app.scenario.waitForEvent(AccountBalanceChanged, { accountId: id, changeReason: 'DEBIT' });
      t.match(changed, { accountId: id, previousBalance: 1000, newBalance: 849.25, changeAmount: -150.75, currency: 'EUR', changeReason: 'DEBIT', timestamp: String });
      t.match(await accountOf(app, 'payer'), { balance: 849.25, reserved: 0, available: 849.25 });
      t.equal((await holdOf(app, 1))?.status, 'CAPTURED');
      t.match((await ledgerOf(app, id)).at(-1), { kind: 'PAYMENT_CAPTURE', amount: -15075, balance_after: 84925, reference: 'payment:1' });
    });

    t.test('payment.reversed › re-credits the captured amount once, account.balance.changed CREDIT', async (t) => {
      const first = await app.scenario.commit(PaymentReversed, reversed(1, id, 150.75));
      const changed = await app.scenario.waitForEvent(AccountBalanceChanged, { accountId: id, changeReason: 'CREDIT', previousBalance: 849.25 });
      t.match(changed, { previousBalance: 849.25, newBalance: 1000, changeAmount: 150.75, currency: 'EUR' });
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 0, available: 1000 });
      t.equal((await holdOf(app, 1))?.status, 'RECREDITED');
      await app.scenario.handledBy('account', first);
      const again = await app.scenario.commit(PaymentReversed, reversed(1, id, 150.75));
      await app.scenario.handledBy('account', again);
      t.match(await accountOf(app, 'payer'), { balance: 1000 }, 'a second reversal event of the payment re-credits nothing');
      t.equal((await ledgerOf(app, id)).filter((entry) => entry.kind === 'PAYMENT_RECREDIT').length, 1, 'one re-credit in the ledger');
    });

    t.test('payment.failed › releases the reservation, balance unchanged', async (t) => {
      await reserve(app, 2, id, 200);
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 200, available: 800 });
      const failure = await app.scenario.commit(PaymentFailed, failed(2, id, 200, 'PROCESSING_FAILED'));
      await app.scenario.handledBy('account', failure);
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 0, available: 1000 });
      t.equal((await holdOf(app, 2))?.status, 'RELEASED');
      const balanceEvents = await app.scenario.events(AccountBalanceChanged, { accountId: id });
      t.equal(balanceEvents.length, 3, 'deposit, capture and re-credit changed the balance; the release did not');
    });

    t.test('payment.reversed before its payment.completed (another topic) › captures and re-credits; the late completion changes nothing', async (t) => {
      await reserve(app, 20, id, 30);
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 30 });
      const reversal = await app.scenario.commit(PaymentReversed, reversed(20, id, 30));
      await app.scenario.handledBy('account', reversal);
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 0, available: 1000 }, 'the capture the reversal implies and the re-credit cancel out');
      t.equal((await holdOf(app, 20))?.status, 'RECREDITED');
      const completion = await app.scenario.commit(PaymentCompleted, completed(20, id, 30));
      await app.scenario.handledBy('account', completion);
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 0 }, 'the late payment.completed takes nothing');
      const entries = (await ledgerOf(app, id)).filter((entry) => entry.reference === 'payment:20').map((entry) => [entry.kind, Number(entry.amount)]);
      t.same(entries, [['PAYMENT_CAPTURE', -3000], ['PAYMENT_RECREDIT', 3000]], 'one capture and one re-credit in the ledger');
    });

    t.test('payment.requested › refuses with the reason and reserves nothing', async (t) => {
      await app.scenario.commit(PaymentRequested, requested(3, id, 1000.01));
      t.match(await app.scenario.waitForEvent(AccountFundsRejected, { paymentId: 3 }), {
        paymentId: 3, accountId: id, amount: 1000.01, currency: 'EUR', reason: 'INSUFFICIENT_FUNDS', rejectedAt: String,
      });
      await app.scenario.commit(PaymentRequested, requested(4, id, 10, 'USD'));
      t.match(await app.scenario.waitForEvent(AccountFundsRejected, { paymentId: 4 }), { accountId: id, currency: 'USD', reason: 'CURRENCY_MISMATCH' });
      await app.scenario.commit(PaymentRequested, requested(5, 987_654, 10));
      t.match(await app.scenario.waitForEvent(AccountFundsRejected, { paymentId: 5 }), { accountId: 987_654, reason: 'ACCOUNT_NOT_FOUND' }, 'unknown account: the requested id is reported');

      const suspended = await openAccount(app, 'suspended-payer', { deposit: 50 });
      t.equal((await app.request({ method: 'POST', url: `/accounts/${suspended.accountId}/suspend`, headers: operatorHeaders, payload: { reason: 'REVIEW' } })).statusCode, 200);
      await app.scenario.commit(PaymentRequested, requested(6, suspended.accountId, 10));
      t.match(await app.scenario.waitForEvent(AccountFundsRejected, { paymentId: 6 }), { accountId: suspended.accountId, reason: 'ACCOUNT_SUSPENDED' });
      const closed = await openAccount(app, 'closed-payer', { deposit: 50 });
      t.equal((await app.request({ method: 'POST', url: `/accounts/${closed.accountId}/close`, headers: operatorHeaders })).statusCode, 200);
      await app.scenario.commit(PaymentRequested, requested(7, closed.accountId, 10));
      t.match(await app.scenario.waitForEvent(AccountFundsRejected, { paymentId: 7 }), { accountId: closed.accountId, reason: 'ACCOUNT_CLOSED' });

      for (const paymentId of [3, 4, 6, 7]) t.equal(await holdOf(app, paymentId), undefined, `no hold for refused payment ${paymentId}`);
      t.same(await app.scenario.events(AccountFundsReserved, { paymentId: 3 }), [], 'a refused payment is not reserved');
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 0 });

      // The payment module reports the refused payment as failed; there is nothing to release.
      const failure = await app.scenario.commit(PaymentFailed, failed(3, id, 1000.01, 'INSUFFICIENT_FUNDS'));
      await app.scenario.handledBy('account', failure);
      t.match(await accountOf(app, 'payer'), { balance: 1000, reserved: 0 }, 'payment.failed without a hold changes nothing');
    });

    t.test('payment.requested › the same payment requested again is not reserved twice', async (t) => {
      await reserve(app, 8, id, 100);
      const again = await app.scenario.commit(PaymentRequested, requested(8, id, 100));
      await app.scenario.handledBy('account', again);
      t.match(await accountOf(app, 'payer'), { reserved: 100 });
      t.equal((await app.scenario.events(AccountFundsReserved, { paymentId: 8 })).length, 1, 'answered once');
      const release = await app.scenario.commit(PaymentFailed, failed(8, id, 100, 'CANCELLED'));
      await app.scenario.handledBy('account', release);
      t.match(await accountOf(app, 'payer'), { reserved: 0 });
    });

    t.test('payment.completed › a redelivered event (same id) captures once', async (t) => {
      await reserve(app, 10, id, 99.99);
      const duplicatesBefore = await duplicatesSeenByAccount(app);
      const eventId = await deliverTwice(app, completed(10, id, 99.99));
      await app.scenario.handledBy('account', eventId);
      const absorbed = await eventually(async () => ((await duplicatesSeenByAccount(app)) > duplicatesBefore ? true : undefined), { what: 'the second delivery to reach the account consumer', timeoutMs: 30_000 });
      t.ok(absorbed, 'the second delivery reached the consumer and was recognised as a duplicate');
      t.match(await accountOf(app, 'payer'), { balance: 900.01, reserved: 0, available: 900.01 });
      t.equal((await ledgerOf(app, id)).filter((entry) => entry.reference === 'payment:10').length, 1, 'one capture in the ledger');
      t.equal((await app.scenario.events(AccountBalanceChanged, { accountId: id, newBalance: 900.01 })).length, 1, 'one account.balance.changed');

      const republished = await app.scenario.commit(PaymentCompleted, completed(10, id, 99.99));
      await app.scenario.handledBy('account', republished);
      t.match(await accountOf(app, 'payer'), { balance: 900.01, reserved: 0 }, 'a new payment.completed event for a captured payment captures nothing');
    });

    t.test('no event ended in the dead-letter queue', async (t) => {
      t.equal(await deadLetterCount(app), 0);
    });
  });
}
