import type { Clock } from '../../../../src/platform/clock.ts';
import type { Caller } from '../../../../src/platform/auth/caller.ts';
import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import type { Payment } from '../../domain/payment.ts';
import { lockPayment } from '../../infrastructure/payments.repository.ts';
import { announce } from '../payment-events.publisher.ts';

/** Reversal: only a COMPLETED payment becomes REVERSED (else 422); the account re-credits on `payment.reversed`. */
export async function reversePayment(uow: UnitOfWork, clock: Clock, command: { paymentId: number; reason: string; caller: Caller }): Promise<Payment> {
  const payment = await lockPayment(uow.em, command.paymentId);
  if (payment === null || !payment.isVisibleTo(command.caller)) throw new NotFoundError('payment', `No payment with id ${command.paymentId}`);
  const change = payment.reverse(command.reason, clock.now());
  announce(uow.publish, payment, change);
  return payment;
}
