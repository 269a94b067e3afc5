import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { formatMoney, toMinorUnits } from '../../../../src/platform/money.ts';
import type { Account } from '../../domain/account.ts';
import { HoldStateError } from '../../domain/account.errors.ts';
import type { Hold } from '../../domain/hold.ts';
import { ledgerReference } from '../../domain/ledger-entry.ts';
import { bookBalanceChange } from '../balance-change.publisher.ts';

/**
 * The payment completed: its held amount leaves the account. Captures once: a hold already captured (or re-credited) changes nothing.
 */
export function captureHold(
  uow: UnitOfWork,
  account: Account,
  hold: Hold,
  payment: { paymentId: number; amount: number; currency: string },
  now: Date,
): void {
  // Partial captures do not exist: another amount means the two modules disagree about the payment.
  if (hold.amount !== toMinorUnits(payment.amount, payment.currency, 'amount')) {
    throw new HoldStateError(`payment ${payment.paymentId} settled for ${payment.amount} ${payment.currency}, but ${formatMoney(hold.amount, payment.currency)} was reserved`);
  }
  const change = account.capture(hold, now);
  if (change === undefined) return;
  bookBalanceChange(uow, account, change, { kind: 'PAYMENT_CAPTURE', reference: ledgerReference.payment(payment.paymentId) }, now);
}
