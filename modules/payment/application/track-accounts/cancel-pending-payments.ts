import type { EntityManager } from '@mikro-orm/postgresql';
import { lockPendingPayments } from '../../infrastructure/payments.repository.ts';
import { announce, type Publish } from '../payment-events.ts';

/** A suspended or closed account pays nothing more: its CREATED and PROCESSING payments become REJECTED. */
export async function cancelPendingPayments(
  context: { em: EntityManager; publish: Publish },
  accountId: number,
  reason: string,
  now: Date,
): Promise<number> {
  const pending = await lockPendingPayments(context.em, accountId);
  for (const payment of pending) announce(context.publish, payment, payment.reject(reason, now));
  return pending.length;
}
