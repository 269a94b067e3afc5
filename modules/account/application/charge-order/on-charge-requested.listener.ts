import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { toMinorUnits } from '../../../../src/platform/money.ts';
import { BillingChargeRequested } from '../../../billing/index.ts';
import { AccountChargeDebited } from '../../contracts/events/account-charge-debited.event.ts';
import { AccountChargeRejected } from '../../contracts/events/account-charge-rejected.event.ts';
import { ledgerReference } from '../../domain/ledger-entry.ts';
import { ledgerHasEntry, lockAccountByLogin } from '../../infrastructure/account.repository.ts';
import { bookBalanceChange } from '../balance-change.publisher.ts';

/**
 * Order debit: billing asks for an order's amount. Debited at once when the account can
 * pay (`account.charge.debited`), else `account.charge.rejected` with the reason and the balance
 * untouched. A charge id is debited at most once.
 */
export const onChargeRequested = handles(BillingChargeRequested, ({ clock }) => async (event, context) => {
  const { em, publish } = context;
  const { chargeId, orderId, login, currency } = event.data;
  const amount = toMinorUnits(event.data.amount, currency, 'amount');
  const now = clock.now();
  const reject = (accountId: number | null, reason: string): void => {
    publish(AccountChargeRejected, {
      chargeId, orderId, accountId, amount: event.data.amount, currency, reason, rejectedAt: now.toISOString(),
    });
  };

  const account = await lockAccountByLogin(em, login);
  if (account === null) return reject(null, 'ACCOUNT_NOT_FOUND');
  const reference = ledgerReference.charge(chargeId);
  // The same charge requested again (a new event, not a redelivery): it was debited the first time.
  if (await ledgerHasEntry(em, 'ORDER_CHARGE', reference)) return;
  const refusal = account.refusalToPay(amount, currency);
  if (refusal !== undefined) return reject(account.id, refusal.reason);

  const change = account.debit(amount, currency, now);
  bookBalanceChange(context, account, change, { kind: 'ORDER_CHARGE', reference }, now);
  publish(AccountChargeDebited, {
    chargeId, orderId, accountId: account.id, amount: event.data.amount, currency, debitedAt: now.toISOString(),
  });
});
