import { handles, type HandlerDeclaration } from '../../../../src/platform/messaging/event-handler.ts';
import { FraudDetected, PaymentCompleted, PaymentFailed, PaymentReversed } from '../../../payment/index.ts';
import { AccountEntry } from '../../domain/directory.ts';
import { fraudDetected, paymentCompleted, paymentFailed, paymentReversed } from '../../domain/notification-content.ts';
import { rememberAccount } from '../../infrastructure/notification.repository.ts';
import { storeNotification } from './store-notification.command.ts';

/** Payment outcomes (completed, failed, reversed, fraud): addressed by account; fraud.detected also names the user. */
export const onPaymentEvents: HandlerDeclaration[] = [
  handles(PaymentCompleted, ({ clock }) => async (event, { em }) => {
    await storeNotification(em, clock, event, { accountId: event.data.accountId }, paymentCompleted(event.data));
  }),
  handles(PaymentFailed, ({ clock }) => async (event, { em }) => {
    await storeNotification(em, clock, event, { accountId: event.data.accountId }, paymentFailed(event.data));
  }),
  handles(PaymentReversed, ({ clock }) => async (event, { em }) => {
    await storeNotification(em, clock, event, { accountId: event.data.accountId }, paymentReversed(event.data));
  }),
  handles(FraudDetected, ({ clock }) => async (event, { em }) => {
    const { accountId, userId } = event.data;
    await rememberAccount(em, AccountEntry.of(accountId, userId));
    await storeNotification(em, clock, event, { accountId, userId }, fraudDetected(event.data));
  }),
];
