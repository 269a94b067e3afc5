import type { Clock } from '../../../../src/platform/clock.ts';
import { on } from '../../../../src/platform/messaging/event-handler.ts';
import { PaymentReversed } from '../../../payment/index.ts';
import { AccountBalanceChanged } from '../../contracts/events/account-balance-changed.ts';
import { HoldStateError } from '../../domain/account.errors.ts';
import { LedgerEntry, ledgerReference } from '../../domain/ledger-entry.ts';
import { findHoldOfPayment, lockAccountById } from '../../infrastructure/account.repository.ts';
import { balanceChangedEvent } from '../balance-changed.mapper.ts';

/** A completed payment was reversed (seed 002): the captured amount comes back to the account, once. */
export function onPaymentReversed(clock: Clock) {
  return on(PaymentReversed, async (event, { em, publish }) => {
    const { paymentId, accountId } = event.data;
    const account = await lockAccountById(em, accountId);
    if (account === null) throw new HoldStateError(`payment ${paymentId} reversed on unknown account ${accountId}`);
    const hold = await findHoldOfPayment(em, paymentId);
    if (hold === null) throw new HoldStateError(`payment ${paymentId} reversed, but it never reserved funds here`);
    const now = clock.now();
    const change = account.recredit(hold, now);
    if (change === undefined) return;
    em.persist(LedgerEntry.record({
      accountId: account.id,
      kind: 'PAYMENT_RECREDIT',
      amount: change.changeAmount,
      balanceAfter: change.newBalance,
      reference: ledgerReference.payment(paymentId),
    }, now));
    publish(AccountBalanceChanged, balanceChangedEvent(account, change, now));
  });
}
