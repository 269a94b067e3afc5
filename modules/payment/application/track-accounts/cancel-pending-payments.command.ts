import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { lockUnsubmittedPayments } from '../../infrastructure/payments.repository.ts';
import { announce } from '../payment-events.publisher.ts';

/**
 * A suspended or closed account pays nothing more: its CREATED payments (still waiting for the
 * account's reservation) become REJECTED, and a reservation that arrives for one later is ignored
 * (the account releases it on `payment.failed`). A PROCESSING payment was already submitted to
 * billing, which settles it: cancelling it here would leave billing reporting SUCCEEDED for a
 * payment this module calls REJECTED. It completes or fails on billing's outcome, and the account
 * captures or releases its hold whatever the account's status (the funds were committed while
 * it was active).
 */
export async function cancelPendingPayments(uow: UnitOfWork, accountId: number, reason: string, now: Date): Promise<number> {
  const pending = await lockUnsubmittedPayments(uow.em, accountId);
  for (const payment of pending) announce(uow.publish, payment, payment.reject(reason, now));
  return pending.length;
}
