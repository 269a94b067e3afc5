import type { Clock } from '../../../../src/platform/clock.ts';
import { on } from '../../../../src/platform/messaging/event-handler.ts';
import { toMinorUnits } from '../../../../src/platform/money.ts';
import { PaymentCompleted } from '../../../payment/index.ts';
import { AccountBalanceChanged } from '../../contracts/events/account-balance-changed.ts';
import { HoldStateError } from '../../domain/account.errors.ts';
import { LedgerEntry, ledgerReference } from '../../domain/ledger-entry.ts';
import { findHoldOfPayment, lockAccountById } from '../../infrastructure/account.repository.ts';
import { balanceChangedEvent } from '../balance-changed.mapper.ts';

/**
 * The payment completed: its held amount leaves the account (seed 002 "account debited"). Captures
 * once: a repeated `payment.completed` finds the hold CAPTURED and changes nothing.
 */
export function onPaymentCompleted(clock: Clock) {
  return on(PaymentCompleted, async (event, { em, publish }) => {
    const { paymentId, accountId } = event.data;
    const account = await lockAccountById(em, accountId);
    if (account === null) throw new HoldStateError(`payment ${paymentId} completed on unknown account ${accountId}`);
    const hold = await findHoldOfPayment(em, paymentId);
    if (hold === null) throw new HoldStateError(`payment ${paymentId} completed without funds reserved for it`);
    // Partial captures do not exist: another amount means the two modules disagree about the payment.
    if (hold.amount !== toMinorUnits(event.data.amount, 'amount')) {
      throw new HoldStateError(`payment ${paymentId} completed for ${event.data.amount}, but ${hold.amount / 100} was reserved`);
    }
    const now = clock.now();
    const change = account.capture(hold, now);
    if (change === undefined) return;
    em.persist(LedgerEntry.record({
      accountId: account.id,
      kind: 'PAYMENT_CAPTURE',
      amount: change.changeAmount,
      balanceAfter: change.newBalance,
      reference: ledgerReference.payment(paymentId),
    }, now));
    publish(AccountBalanceChanged, balanceChangedEvent(account, change, now));
  });
}
