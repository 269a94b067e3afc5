import type { EventData } from '../../../src/platform/messaging/contract.ts';
import type { UnitOfWork } from '../../../src/platform/db/unit-of-work.ts';
import { fromMinorUnits } from '../../../src/platform/money.ts';
import { AccountBalanceChanged } from '../contracts/events/account-balance-changed.event.ts';
import type { Account, BalanceChange } from '../domain/account.ts';
import { LedgerEntry, type LedgerKind } from '../domain/ledger-entry.ts';

/**
 * Every change of a balance is booked the same way, in the transaction that made it: a ledger
 * entry (the balance always equals the sum of its entries) and `account.balance.changed`.
 */
export function bookBalanceChange(
  { em, publish }: UnitOfWork,
  account: Account,
  change: BalanceChange,
  entry: { kind: LedgerKind; reference?: string },
  now: Date,
): void {
  em.persist(LedgerEntry.record({
    accountId: account.id,
    kind: entry.kind,
    amount: change.changeAmount,
    balanceAfter: change.newBalance,
    ...(entry.reference === undefined ? {} : { reference: entry.reference }),
  }, now));
  publish(AccountBalanceChanged, balanceChangedEvent(account, change, now));
}

function balanceChangedEvent(account: Account, change: BalanceChange, at: Date): EventData<typeof AccountBalanceChanged> {
  return {
    accountId: account.id,
    previousBalance: fromMinorUnits(change.previousBalance, account.currency),
    newBalance: fromMinorUnits(change.newBalance, account.currency),
    changeAmount: fromMinorUnits(change.changeAmount, account.currency),
    currency: account.currency,
    changeReason: change.changeReason,
    timestamp: at.toISOString(),
  };
}
