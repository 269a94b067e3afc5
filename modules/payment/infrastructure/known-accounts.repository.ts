import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { toMinorUnits } from '../../../src/platform/money.ts';
import type { AccountQueryApi, AccountSnapshot } from '../../account/index.ts';
import { UnavailableError } from '../../../src/platform/errors.ts';
import { KnownAccount } from '../domain/known-account.ts';

/** How a payment names its account: by the owner's login (`userName`) or by id. */
export type AccountReference = { userName: string } | { accountId: number };


/**
 * The payment module's cache of accounts (`payment.account_cache`). Events keep it current; on a
 * miss the account module's query API answers and the answer is remembered. Status written by an
 * event is never overwritten by a query answer: events arrive in order per account, answers may be
 * older than the last event.
 */
export class KnownAccounts {
  constructor(private readonly queryApi: AccountQueryApi) {}

  /**
   * The id of the account, from the cache first, then from the account module — whose answer is
   * remembered at once (even if the payment is then refused). Undefined when neither knows it.
   */
  async locate(em: EntityManager, reference: AccountReference, now: Date): Promise<number | undefined> {
    const cached = await em.findOne(KnownAccount, whereOf(reference));
    if (cached?.isComplete()) return cached.accountId;
    const snapshot = await this.ask(reference);
    if (snapshot === null) return undefined;
    await rememberSnapshot(em, snapshot, now);
    return snapshot.accountId;
  }

  /** The cached row, locked until the transaction ends; null when the cache has no such row. */
  async lock(em: EntityManager, reference: AccountReference): Promise<KnownAccount | null> {
    return em.findOne(KnownAccount, whereOf(reference), { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }

  private async ask(reference: AccountReference): Promise<AccountSnapshot | null> {
    try {
      return 'userName' in reference ? await this.queryApi.byLogin(reference.userName) : await this.queryApi.byId(reference.accountId);
    } catch (error) {
      throw new UnavailableError('account-lookup-unavailable', 'Account lookup unavailable', `The account module could not be asked: ${(error as Error).message}`);
    }
  }
}

function whereOf(reference: AccountReference): { login: string } | { accountId: number } {
  return 'userName' in reference ? { login: reference.userName } : { accountId: reference.accountId };
}

/** Fills in what a query answer knows and the cache does not; keeps event-fed status and balance. */
export async function rememberSnapshot(em: EntityManager, snapshot: AccountSnapshot, now: Date): Promise<void> {
  await em.execute(
    `insert into payment.account_cache (account_id, user_id, login, currency, status, balance, updated_at)
     values (?, ?, ?, ?, ?, ?, ?)
     on conflict (account_id) do update set
       login = coalesce(account_cache.login, excluded.login),
       currency = coalesce(account_cache.currency, excluded.currency)`,
    [snapshot.accountId, snapshot.userId, snapshot.login, snapshot.currency, snapshot.status, toMinorUnits(snapshot.balance, snapshot.currency, 'balance'), now],
  );
}

export async function recordAccountCreated(
  em: EntityManager,
  account: { accountId: number; userId: number; currency: string; status: string },
  now: Date,
): Promise<void> {
  // A row made earlier by a query answer or a status event may hold a newer status: keep it.
  await em.execute(
    `insert into payment.account_cache (account_id, user_id, currency, status, updated_at)
     values (?, ?, ?, ?, ?)
     on conflict (account_id) do update set currency = excluded.currency, user_id = excluded.user_id`,
    [account.accountId, account.userId, account.currency, account.status, now],
  );
}

/**
 * Takes a status the account module announced at `changedAt`, unless the cache already holds a
 * later change (the status events travel on different topics). True when it was taken.
 */
export async function recordAccountStatus(
  em: EntityManager,
  account: { accountId: number; userId: number; status: string; changedAt: Date },
  now: Date,
): Promise<boolean> {
  const taken = await em.execute<Array<{ taken: number }>>(
    `insert into payment.account_cache (account_id, user_id, status, status_changed_at, updated_at)
     values (?, ?, ?, ?, ?)
     on conflict (account_id) do update set status = excluded.status, status_changed_at = excluded.status_changed_at, updated_at = excluded.updated_at
      where account_cache.status_changed_at is null or account_cache.status_changed_at <= excluded.status_changed_at
     returning 1 as taken`,
    [account.accountId, account.userId, account.status, account.changedAt, now],
  );
  return taken.length > 0;
}

/** Balance only: the event names no owner, so an account the cache does not know yet stays unknown. */
export async function recordAccountBalance(
  em: EntityManager,
  account: { accountId: number; balance: number; currency: string },
  now: Date,
): Promise<void> {
  await em.execute(
    `update payment.account_cache set balance = ?, currency = coalesce(currency, ?), updated_at = ? where account_id = ?`,
    [account.balance, account.currency, now, account.accountId],
  );
}
