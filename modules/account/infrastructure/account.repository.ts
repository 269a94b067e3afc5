import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { Account } from '../domain/account.ts';
import { Hold } from '../domain/hold.ts';
import { LedgerEntry, type LedgerKind } from '../domain/ledger-entry.ts';

/**
 * Every change of an account's money or status starts here: the row lock (SELECT ... FOR UPDATE)
 * makes concurrent operations on one account take turns for the rest of the transaction, so none
 * works from a stale balance. Holds and ledger entries of the account are read after the lock.
 */
export function lockAccountById(em: EntityManager, accountId: number): Promise<Account | null> {
  return em.findOne(Account, { id: accountId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

export function lockAccountByLogin(em: EntityManager, login: string): Promise<Account | null> {
  return em.findOne(Account, { login }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

export function findHoldOfPayment(em: EntityManager, paymentId: number): Promise<Hold | null> {
  return em.findOne(Hold, { paymentId });
}

export async function ledgerHasEntry(em: EntityManager, kind: LedgerKind, reference: string): Promise<boolean> {
  return (await em.count(LedgerEntry, { kind, reference })) > 0;
}
