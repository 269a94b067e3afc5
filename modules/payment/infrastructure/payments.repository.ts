import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { PastPayment } from '../domain/fraud-rules.ts';
import { Payment } from '../domain/payment.ts';

export function lockPayment(em: EntityManager, id: number): Promise<Payment | null> {
  return em.findOne(Payment, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/** The account's payments created after `since`, any status, for the fraud rules. */
export async function paymentsSince(em: EntityManager, accountId: number, since: Date): Promise<PastPayment[]> {
  const rows = await em.find(Payment, { accountId, createdAt: { $gt: since } }, { fields: ['amount', 'createdAt'], orderBy: { id: 'asc' } });
  return rows.map((row) => ({ amount: row.amount, createdAt: row.createdAt }));
}

/** CREATED and PROCESSING payments of the account, locked, oldest first. */
export function lockPendingPayments(em: EntityManager, accountId: number): Promise<Payment[]> {
  return em.find(
    Payment,
    { accountId, status: { $in: ['CREATED', 'PROCESSING'] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true },
  );
}
