import { AccountNotActiveError, InsufficientFundsError } from './account.errors.ts';

export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'CLOSED';

/** A change of balance, in minor units, as `account.balance.changed` reports it. */
export interface BalanceChange {
  previousBalance: number;
  newBalance: number;
  changeAmount: number;
  changeReason: 'CREDIT' | 'DEBIT';
}

/**
 * An account with balance and reserved funds in integer minor units. Invariants, also enforced by
 * CHECK constraints: 0 <= reserved <= balance.
 */
export class Account {
  id!: number;
  userId!: number;
  login!: string;
  currency!: string;
  accountType = 'CHECKING';
  status: AccountStatus = 'ACTIVE';
  balance = 0;
  reserved = 0;
  createdAt!: Date;
  updatedAt!: Date;

  static open(input: { userId: number; login: string; currency: string }, now: Date): Account {
    const account = new Account();
    account.userId = input.userId;
    account.login = input.login;
    account.currency = input.currency;
    account.createdAt = now;
    account.updatedAt = now;
    return account;
  }

  available(): number {
    return this.balance - this.reserved;
  }

  deposit(amount: number, now: Date): BalanceChange {
    if (this.status === 'CLOSED') throw new AccountNotActiveError(this.status);
    return this.changeBalance(amount, now);
  }

  withdraw(amount: number, now: Date): BalanceChange {
    if (this.status !== 'ACTIVE') throw new AccountNotActiveError(this.status);
    if (amount > this.available()) throw new InsufficientFundsError(this.available(), amount);
    return this.changeBalance(-amount, now);
  }

  private changeBalance(delta: number, now: Date): BalanceChange {
    const previousBalance = this.balance;
    this.balance += delta;
    this.updatedAt = now;
    return { previousBalance, newBalance: this.balance, changeAmount: delta, changeReason: delta < 0 ? 'DEBIT' : 'CREDIT' };
  }
}
