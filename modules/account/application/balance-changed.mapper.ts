import type { EventData } from '../../../src/platform/messaging/contract.ts';
import { fromMinorUnits } from '../../../src/platform/money.ts';
import type { AccountBalanceChanged } from '../contracts/events/account-balance-changed.ts';
import type { Account, BalanceChange } from '../domain/account.ts';

export function balanceChangedEvent(account: Account, change: BalanceChange, at: Date): EventData<typeof AccountBalanceChanged> {
  return {
    accountId: account.id,
    previousBalance: fromMinorUnits(change.previousBalance),
    newBalance: fromMinorUnits(change.newBalance),
    changeAmount: fromMinorUnits(change.changeAmount),
    currency: account.currency,
    changeReason: change.changeReason,
    timestamp: at.toISOString(),
  };
}
