import type { HandlerContext } from '../../../../src/platform/messaging/event-handler.ts';
import { toMinorUnits } from '../../../../src/platform/money.ts';
import { AccountBalanceChanged } from '../../contracts/events/account-balance-changed.ts';
import type { Account } from '../../domain/account.ts';
import { HoldStateError } from '../../domain/account.errors.ts';
import type { Hold } from '../../domain/hold.ts';
import { LedgerEntry, ledgerReference } from '../../domain/ledger-entry.ts';
import { balanceChangedEvent } from '../balance-changed.mapper.ts';

/**
 * The payment completed: its held amount leaves the account, with its ledger entry and
 * `account.balance.changed`. Captures once: a hold already captured (or re-credited) changes nothing.
 */
export function captureHold(
  { em, publish }: HandlerContext,
  account: Account,
  hold: Hold,
  payment: { paymentId: number; amount: number },
  now: Date,
): void {
  // Partial captures do not exist: another amount means the two modules disagree about the payment.
  if (hold.amount !== toMinorUnits(payment.amount, 'amount')) {
    throw new HoldStateError(`payment ${payment.paymentId} settled for ${payment.amount}, but ${hold.amount / 100} was reserved`);
  }
  const change = account.capture(hold, now);
  if (change === undefined) return;
  em.persist(LedgerEntry.record({
    accountId: account.id,
    kind: 'PAYMENT_CAPTURE',
    amount: change.changeAmount,
    balanceAfter: change.newBalance,
    reference: ledgerReference.payment(payment.paymentId),
  }, now));
  publish(AccountBalanceChanged, balanceChangedEvent(account, change, now));
}
