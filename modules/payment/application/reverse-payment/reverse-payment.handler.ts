import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import { transactionally } from '../../../../src/platform/db/transaction.ts';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import type { Payment } from '../../domain/payment.ts';
import { lockPayment } from '../../infrastructure/payments.repository.ts';
import { announce } from '../payment-events.ts';

/** Seed 002 reversal: only a COMPLETED payment becomes REVERSED (else 422); the account re-credits on `payment.reversed`. */
export async function reversePayment(
  deps: { em: EntityManager; outbox: OutboxWriter; clock: Clock },
  command: { paymentId: number; reason: string },
): Promise<Payment> {
  return transactionally(deps.em, async (em) => {
    const payment = await lockPayment(em, command.paymentId);
    if (payment === null) throw new NotFoundError('payment', `No payment with id ${command.paymentId}`);
    const change = payment.reverse(command.reason, deps.clock.now());
    announce((contract, data) => deps.outbox.add(em, contract, data), payment, change);
    return payment;
  });
}
