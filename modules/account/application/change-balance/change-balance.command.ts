import type { Clock } from '../../../../src/platform/clock.ts';
import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { AccountNotFoundError } from '../../domain/account.errors.ts';
import { toMinorUnits, type MoneyLimits } from '../../../../src/platform/money.ts';
import type { Account } from '../../domain/account.ts';
import { lockAccountByLogin } from '../../infrastructure/account.repository.ts';
import { bookBalanceChange } from '../balance-change.publisher.ts';
import type { BalanceOperation } from '../../domain/account.ts';

export interface ChangeBalanceDeps {
  clock: Clock;
  limits: MoneyLimits;
}

export interface ChangeBalance {
  login: string;
  operation: BalanceOperation;
  sum: number;
}

/**
 * A customer's top-up (deposit) or withdrawal. The account row is locked for the transaction, so concurrent
 * operations on one account serialise: the balance never goes below zero nor above MONEY_MAX_BALANCE.
 */
export async function changeBalance(uow: UnitOfWork, { clock, limits }: ChangeBalanceDeps, command: ChangeBalance): Promise<Account> {
  const account = await lockAccountByLogin(uow.em, command.login);
  if (account === null) throw new AccountNotFoundError({ login: command.login });
  const amount = toMinorUnits(command.sum, account.currency, 'sum');
  limits.assertAmount(amount, account.currency, 'sum');
  if (command.operation === 'DEPOSIT') limits.assertBalance(account.balance + amount, account.currency, 'sum');
  const now = clock.now();
  const change = command.operation === 'DEPOSIT' ? account.deposit(amount, now) : account.withdraw(amount, now);
  bookBalanceChange(uow, account, change, { kind: command.operation === 'DEPOSIT' ? 'DEPOSIT' : 'WITHDRAWAL' }, now);
  return account;
}
