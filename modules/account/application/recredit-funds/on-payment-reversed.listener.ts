import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { PaymentReversed } from '../../../payment/index.ts';
import { HoldStateError } from '../../domain/account.errors.ts';
import { ledgerReference } from '../../domain/ledger-entry.ts';
import { findHoldOfPayment, lockAccountById } from '../../infrastructure/account.repository.ts';
import { bookBalanceChange } from '../balance-change.publisher.ts';
import { captureHold } from '../capture-funds/capture-hold.command.ts';

/** A completed payment was reversed: the captured amount comes back to the account, once. */
export const onPaymentReversed = handles(PaymentReversed, ({ clock }) => async (event, context) => {
  const { paymentId, accountId } = event.data;
  const account = await lockAccountById(context.em, accountId);
  if (account === null) throw new HoldStateError(`payment ${paymentId} reversed on unknown account ${accountId}`);
  const hold = await findHoldOfPayment(context.em, paymentId);
  if (hold === null) throw new HoldStateError(`payment ${paymentId} reversed, but it never reserved funds here`);
  const now = clock.now();
  // payment.completed and payment.reversed travel on different topics, so the reversal may come
  // first (seen after a broker outage). Only a completed payment can be reversed: settle the
  // capture it implies now; the late payment.completed then finds the hold re-credited.
  if (hold.status === 'HELD') captureHold(context, account, hold, event.data, now);
  const change = account.recredit(hold, now);
  if (change === undefined) return;
  bookBalanceChange(context, account, change, { kind: 'PAYMENT_RECREDIT', reference: ledgerReference.payment(paymentId) }, now);
});
