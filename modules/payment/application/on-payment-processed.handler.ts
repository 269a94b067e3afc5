import type { Clock } from '../../../src/platform/clock.ts';
import { on } from '../../../src/platform/messaging/event-handler.ts';
import type { Logger } from '../../../src/platform/observability/logger.ts';
import { BillingPaymentProcessed } from '../../billing/index.ts';
import { FailureReason } from '../domain/failure-reason.ts';
import { applyOutcome } from './payment-outcome.ts';

/** Seed 000 PaymentCompleted: billing's outcome makes the payment COMPLETED or FAILED (PROCESSING_FAILED). */
export function onPaymentProcessed(clock: Clock, logger: Logger) {
  return on(BillingPaymentProcessed, async (event, uow) => {
    await applyOutcome(uow, logger, { paymentId: event.data.paymentId, stage: 'processing', event: event.type }, (payment) =>
      event.data.outcome === 'SUCCEEDED' ? payment.complete(clock.now()) : payment.fail(FailureReason.PROCESSING_FAILED, clock.now()));
  });
}
