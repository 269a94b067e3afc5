import type { Clock } from '../../../../src/platform/clock.ts';
import { on, type EventHandler } from '../../../../src/platform/messaging/event-handler.ts';
import { FraudDetected, PaymentCompleted, PaymentFailed, PaymentReversed } from '../../../payment/index.ts';
import { AccountEntry } from '../../domain/directory.ts';
import { fraudDetected, paymentCompleted, paymentFailed, paymentReversed } from '../../domain/notification-content.ts';
import { rememberAccount } from '../../infrastructure/notification.repository.ts';
import { storeNotification } from './store-notification.ts';

/** Payment outcomes (seed 002): addressed by account; fraud.detected also names the user. */
export function onPaymentEvents(clock: Clock): EventHandler[] {
  return [
    on(PaymentCompleted, async (event, { em }) => {
      await storeNotification(em, clock, event, { accountId: event.data.accountId }, paymentCompleted(event.data));
    }),
    on(PaymentFailed, async (event, { em }) => {
      await storeNotification(em, clock, event, { accountId: event.data.accountId }, paymentFailed(event.data));
    }),
    on(PaymentReversed, async (event, { em }) => {
      await storeNotification(em, clock, event, { accountId: event.data.accountId }, paymentReversed(event.data));
    }),
    on(FraudDetected, async (event, { em }) => {
      const { accountId, userId } = event.data;
      await rememberAccount(em, AccountEntry.of(accountId, userId));
      await storeNotification(em, clock, event, { accountId, userId }, fraudDetected(event.data));
    }),
  ];
}
