import type { Clock } from '../../../src/platform/clock.ts';
import { on } from '../../../src/platform/messaging/event-handler.ts';
import type { Logger } from '../../../src/platform/observability/logger.ts';
import { AccountFundsReserved } from '../../account/index.ts';
import { applyOutcome } from './payment-outcome.ts';

/** Seed 000 booking OK: the payment goes to PROCESSING and is submitted to billing. */
export function onFundsReserved(clock: Clock, logger: Logger) {
  return on(AccountFundsReserved, async (event, uow) => {
    await applyOutcome(uow, logger, { paymentId: event.data.paymentId, stage: 'booking', event: event.type }, (payment) =>
      payment.startProcessing(clock.now()));
  });
}
