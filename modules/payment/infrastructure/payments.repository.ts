import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { RecentPayments } from '../domain/fraud-rules.ts';
import { Payment } from '../domain/payment.ts';

export function lockPayment(em: EntityManager, id: number): Promise<Payment | null> {
  return em.findOne(Payment, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/**
 * The account's payments created after `since` (any status, including any stamped later than the
 * caller's now), counted in the database over `payment_account_created_idx`: the velocity rules
 * need counts, and fetching the rows made an account's checks slower with every payment it made.
 */
export async function recentPayments(em: EntityManager, accountId: number, amount: number, since: Date): Promise<RecentPayments> {
  const [row] = await em.execute<Array<{ count: number; same_amount: number }>>(
    `select count(*) as count, count(*) filter (where amount = ?) as same_amount
       from payment.payment where account_id = ? and created_at > ?`,
    [amount, accountId, since],
  );
  return { count: row?.count ?? 0, sameAmount: row?.same_amount ?? 0 };
}

/** CREATED and PROCESSING payments of the account, locked, oldest first. */
export function lockPendingPayments(em: EntityManager, accountId: number): Promise<Payment[]> {
  return em.find(
    Payment,
    { accountId, status: { $in: ['CREATED', 'PROCESSING'] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true },
  );
}
