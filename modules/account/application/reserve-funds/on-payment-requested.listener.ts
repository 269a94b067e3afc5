import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { fromMinorUnits, toMinorUnits } from '../../../../src/platform/money.ts';
import { PaymentRequested } from '../../../payment/index.ts';
import { AccountFundsRejected } from '../../contracts/events/account-funds-rejected.event.ts';
import { AccountFundsReserved } from '../../contracts/events/account-funds-reserved.event.ts';
import { findHoldOfPayment, lockAccountById } from '../../infrastructure/account.repository.ts';

/**
 * Books (reserves) a requested payment's amount: a hold and `account.funds.reserved`,
 * or `account.funds.rejected` with the reason when the account cannot pay. A refusal is an answer,
 * not a failure, so it is never retried.
 */
export const onPaymentRequested = handles(PaymentRequested, ({ clock }) => async (event, { em, publish }) => {
  const { paymentId, accountId, currency } = event.data;
  const amount = toMinorUnits(event.data.amount, currency, 'amount');
  const now = clock.now();
  const reject = (reason: string): void => {
    publish(AccountFundsRejected, {
      paymentId, accountId, amount: event.data.amount, currency, reason, rejectedAt: now.toISOString(),
    });
  };

  const account = await lockAccountById(em, accountId);
  if (account === null) return reject('ACCOUNT_NOT_FOUND');
  // The same payment requested again (a new event, not a redelivery): it was answered the first time.
  if ((await findHoldOfPayment(em, paymentId)) !== null) return;
  const refusal = account.refusalToPay(amount, currency);
  if (refusal !== undefined) return reject(refusal.reason);

  const hold = account.reserve({ paymentId, amount, currency }, now);
  em.persist(hold);
  publish(AccountFundsReserved, {
    paymentId, accountId, amount: fromMinorUnits(hold.amount, account.currency), currency: account.currency, reservedAt: now.toISOString(),
  });
});
