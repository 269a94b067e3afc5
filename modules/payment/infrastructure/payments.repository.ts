import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { RecentPayments } from '../domain/fraud-rules.ts';
import { Payment } from '../domain/payment.ts';

export function lockPayment(em: EntityManager, id: number): Promise<Payment | null> {
  return em.findOne(Payment, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/** What a payment request reads before it writes, in one round trip. */
export interface PaymentCheck {
  recent: RecentPayments;
  /** The id the new payment is inserted with, so its events can name it in the same flush. */
  paymentId: number;
}

/**
 * The account's payments created after `since` (any status, including any stamped later than the
 * caller's now), counted in the database over `payment_account_created_idx` — the velocity rules
 * need counts, and fetching the rows made an account's checks slower with every payment it made —
 * and the next payment id. An id taken by a request that then fails is skipped, as with identity.
 */
export async function checkPayment(em: EntityManager, accountId: number, amount: number, since: Date): Promise<PaymentCheck> {
  const [row] = await em.execute<Array<{ count: number; same_amount: number; payment_id: number }>>(
    `select count(*) as count, count(*) filter (where amount = ?) as same_amount,
            nextval(pg_get_serial_sequence('payment.payment', 'id')) as payment_id
       from payment.payment where account_id = ? and created_at > ?`,
    [amount, accountId, since],
  );
  if (row === undefined) throw new Error('checkPayment: an aggregate returned no row');
  return { recent: { count: row.count, sameAmount: row.same_amount }, paymentId: row.payment_id };
}

/** CREATED payments of the account (not yet submitted to billing), locked, oldest first. */
export function lockUnsubmittedPayments(em: EntityManager, accountId: number): Promise<Payment[]> {
  return em.find(
    Payment,
    { accountId, status: 'CREATED' },
    { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true },
  );
}
