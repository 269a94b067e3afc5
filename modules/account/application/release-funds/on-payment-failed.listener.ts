import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { PaymentFailed } from '../../../payment/index.ts';
import { findHoldOfPayment, lockAccountById } from '../../infrastructure/account.repository.ts';

/**
 * The payment failed or was rejected: its reservation, if it had one, becomes available again.
 * Payments refused at booking or by the fraud rules never had a hold; nothing to do for them.
 */
export const onPaymentFailed = handles(PaymentFailed, ({ clock }) => async (event, { em }) => {
  const account = await lockAccountById(em, event.data.accountId);
  if (account === null) return;
  const hold = await findHoldOfPayment(em, event.data.paymentId);
  if (hold === null) return;
  account.release(hold, clock.now());
});
