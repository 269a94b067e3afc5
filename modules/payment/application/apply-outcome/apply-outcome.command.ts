import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import type { Logger } from '../../../../src/platform/observability/logger.ts';
import type { Payment, PaymentStage, StatusChange } from '../../domain/payment.ts';
import { lockPayment } from '../../infrastructure/payments.repository.ts';
import { announce } from '../payment-events.publisher.ts';

/**
 * Applies the account's or billing's answer to the payment waiting for it. An answer for a payment
 * that is past that stage (cancelled meanwhile, already answered, final) changes nothing: the first
 * outcome wins. An unknown payment id is an error, so the message ends in the dead-letter queue.
 */
export async function applyOutcome(
  uow: UnitOfWork,
  logger: Logger,
  outcome: { paymentId: number; stage: PaymentStage; event: string },
  decide: (payment: Payment) => StatusChange,
): Promise<void> {
  const payment = await lockPayment(uow.em, outcome.paymentId);
  if (payment === null) throw new Error(`${outcome.event} for unknown payment ${outcome.paymentId}`);
  if (!payment.awaits(outcome.stage)) {
    logger.info({ paymentId: payment.id, status: payment.status, event: outcome.event }, 'outcome for a payment no longer waiting for it ignored');
    return;
  }
  announce(uow.publish, payment, decide(payment));
}
