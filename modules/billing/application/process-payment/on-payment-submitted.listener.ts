import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { toMinorUnits } from '../../../../src/platform/money.ts';
import { currentCause } from '../../../../src/platform/observability/trace-context.ts';
import { PaymentSubmitted } from '../../../payment/index.ts';
import { PaymentProcessing } from '../../domain/payment-processing.ts';
import { BillingSettings } from '../../billing.settings.ts';
import { processingDelayMs, systemRandom } from '../../domain/processing-decision.ts';

/**
 * Schedules the payment for processing after its random delay and returns at once: the consumer's
 * transaction (and its partition) is never held for the delay. {@link PaymentProcessingScheduler}
 * processes the row once it is due, in this process or any other running billing as a worker.
 */
export const onPaymentSubmitted = handles(PaymentSubmitted, ({ clock, settings }) => async (event, { em }) => {
  const { data } = event;
  // The inbox drops a redelivered event; this drops a second event for the same payment.
  if ((await em.findOne(PaymentProcessing, { paymentId: data.paymentId })) !== null) return;
  em.persist(PaymentProcessing.schedule(
    {
      paymentId: data.paymentId,
      accountId: data.accountId,
      amount: toMinorUnits(data.amount, data.currency, 'amount'),
      currency: data.currency,
      transactionType: data.transactionType,
    },
    clock.now(),
    processingDelayMs(settings.of(BillingSettings), systemRandom),
    currentCause(),
  ));
});
