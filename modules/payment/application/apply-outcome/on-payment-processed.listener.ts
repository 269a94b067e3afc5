import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { BillingPaymentProcessed } from '../../../billing/index.ts';
import { FailureReason } from '../../domain/failure-reason.ts';
import { applyOutcome } from './apply-outcome.command.ts';

/** Billing processed the payment: its outcome makes the payment COMPLETED or FAILED (PROCESSING_FAILED). */
export const onPaymentProcessed = handles(BillingPaymentProcessed, ({ clock, logger }) => async (event, uow) => {
  await applyOutcome(uow, logger, { paymentId: event.data.paymentId, stage: 'processing', event: event.type }, (payment) =>
    event.data.outcome === 'SUCCEEDED' ? payment.complete(clock.now()) : payment.fail(FailureReason.PROCESSING_FAILED, clock.now()));
});
