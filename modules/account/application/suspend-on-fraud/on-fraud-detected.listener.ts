import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { FraudDetected } from '../../../payment/index.ts';
import { lockAccountById } from '../../infrastructure/account.repository.ts';
import { publishStatusChange } from '../status-change.publisher.ts';

export const SUSPENDING_SEVERITY = 'CRITICAL';

/**
 * CRITICAL fraud suspends the account (reason FRAUD_SUSPECTED); lower severities only
 * reject the payment. A suspension is not undone by applying it twice, so the inbox is not enough:
 * the same signal delivered again after its inbox row was pruned (a consumer group restarting
 * from the beginning) must not suspend an account an operator reactivated since. The account's
 * status change time says which decision is newer.
 */
export const onFraudDetected = handles(FraudDetected, ({ clock }) => async (event, uow) => {
  if (event.data.severity !== SUSPENDING_SEVERITY) return;
  const account = await lockAccountById(uow.em, event.data.accountId);
  // Already suspended or closed: one more fraud signal changes nothing.
  if (account === null || account.status !== 'ACTIVE') return;
  if (account.statusChangedAt.getTime() > new Date(event.data.detectedAt).getTime()) return;
  const now = clock.now();
  publishStatusChange(uow, account, account.suspend('FRAUD_SUSPECTED', undefined, now), now);
});
