import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { PaymentCompleted } from '../../../payment/index.ts';
import { HoldStateError } from '../../domain/account.errors.ts';
import { findHoldOfPayment, lockAccountById } from '../../infrastructure/account.repository.ts';
import { captureHold } from './capture-hold.command.ts';

/**
 * The payment completed: its held amount is debited from the account's balance. Captures
 * once: a repeated `payment.completed`, or one arriving after its reversal, finds the hold
 * CAPTURED or RECREDITED and changes nothing.
 */
export const onPaymentCompleted = handles(PaymentCompleted, ({ clock }) => async (event, context) => {
  const { paymentId, accountId } = event.data;
  const account = await lockAccountById(context.em, accountId);
  if (account === null) throw new HoldStateError(`payment ${paymentId} completed on unknown account ${accountId}`);
  const hold = await findHoldOfPayment(context.em, paymentId);
  if (hold === null) throw new HoldStateError(`payment ${paymentId} completed without funds reserved for it`);
  captureHold(context, account, hold, event.data, clock.now());
});
