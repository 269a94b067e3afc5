import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { AccountFundsRejected } from '../../../account/index.ts';
import { applyOutcome } from './apply-outcome.command.ts';

/** Funds could not be booked: the payment is REJECTED with the account's reason (INSUFFICIENT_FUNDS, ...). */
export const onFundsRejected = handles(AccountFundsRejected, ({ clock, logger }) => async (event, uow) => {
  await applyOutcome(uow, logger, { paymentId: event.data.paymentId, stage: 'booking', event: event.type }, (payment) =>
    payment.reject(event.data.reason, clock.now()));
});
