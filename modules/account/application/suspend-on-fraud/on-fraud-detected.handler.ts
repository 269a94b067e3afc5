import type { Clock } from '../../../../src/platform/clock.ts';
import { on } from '../../../../src/platform/messaging/event-handler.ts';
import { FraudDetected } from '../../../payment/index.ts';
import { lockAccountById } from '../../infrastructure/account.repository.ts';
import { publishStatusChange } from '../status-changed.mapper.ts';

export const SUSPENDING_SEVERITY = 'CRITICAL';

/** Seed 002: CRITICAL fraud suspends the account (reason FRAUD_SUSPECTED); lower severities only reject the payment. */
export function onFraudDetected(clock: Clock) {
  return on(FraudDetected, async (event, { em, publish }) => {
    if (event.data.severity !== SUSPENDING_SEVERITY) return;
    const account = await lockAccountById(em, event.data.accountId);
    // Already suspended or closed: one more fraud signal changes nothing.
    if (account === null || account.status !== 'ACTIVE') return;
    const now = clock.now();
    publishStatusChange(publish, account, account.suspend('FRAUD_SUSPECTED', undefined, now), now);
  });
}
