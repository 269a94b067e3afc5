import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import { toMinorUnits } from '../../../../src/platform/money.ts';
import { AccountBalanceChanged } from '../../contracts/events/account-balance-changed.ts';
import type { Account } from '../../domain/account.ts';
import { LedgerEntry } from '../../domain/ledger-entry.ts';
import { lockAccountByLogin } from '../../infrastructure/account.repository.ts';
import { balanceChangedEvent } from '../balance-changed.mapper.ts';

export interface ChangeBalance {
  login: string;
  operation: 'DEPOSIT' | 'WITHDRAW';
  sum: number;
}

/**
 * Seed 004 top-up / withdrawal. The account row is locked for the transaction, so concurrent
 * operations on one account serialise and the balance can never go below zero.
 */
export async function changeBalance(
  deps: { em: EntityManager; outbox: OutboxWriter; clock: Clock },
  command: ChangeBalance,
): Promise<Account> {
  const amount = toMinorUnits(command.sum, 'sum');
  return deps.em.fork().transactional(async (em) => {
    const account = await lockAccountByLogin(em, command.login);
    if (account === null) throw new NotFoundError('account', `No account for login ${command.login}`);
    const now = deps.clock.now();
    const change = command.operation === 'DEPOSIT' ? account.deposit(amount, now) : account.withdraw(amount, now);
    em.persist(LedgerEntry.record({
      accountId: account.id,
      kind: command.operation === 'DEPOSIT' ? 'DEPOSIT' : 'WITHDRAWAL',
      amount: change.changeAmount,
      balanceAfter: change.newBalance,
    }, now));
    deps.outbox.add(em, AccountBalanceChanged, balanceChangedEvent(account, change, now));
    return account;
  });
}
