import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { AccountFundsReserved } from '../../../account/index.ts';
import { applyOutcome } from './apply-outcome.command.ts';

/** Funds booked: the payment goes to PROCESSING and is submitted to billing. */
export const onFundsReserved = handles(AccountFundsReserved, ({ clock, logger }) => async (event, uow) => {
  await applyOutcome(uow, logger, { paymentId: event.data.paymentId, stage: 'booking', event: event.type }, (payment) =>
    payment.startProcessing(clock.now()));
});
