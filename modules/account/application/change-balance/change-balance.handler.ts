import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import { transactionally } from '../../../../src/platform/db/transaction.ts';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import type { HandlerContext } from '../../../../src/platform/messaging/event-handler.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import { toMinorUnits } from '../../../../src/platform/money.ts';
import type { Account } from '../../domain/account.ts';
import { lockAccountByLogin } from '../../infrastructure/account.repository.ts';
import { bookBalanceChange } from '../book-balance-change.ts';

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
  return transactionally(deps.em, async (em) => {
    const account = await lockAccountByLogin(em, command.login);
    if (account === null) throw new NotFoundError('account', `No account for login ${command.login}`);
    const now = deps.clock.now();
    const change = command.operation === 'DEPOSIT' ? account.deposit(amount, now) : account.withdraw(amount, now);
    const context: HandlerContext = { em, publish: (contract, data) => deps.outbox.add(em, contract, data) };
    bookBalanceChange(context, account, change, { kind: command.operation === 'DEPOSIT' ? 'DEPOSIT' : 'WITHDRAWAL' }, now);
    return account;
  });
}
