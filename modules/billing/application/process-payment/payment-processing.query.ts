import type { MikroORM } from '@mikro-orm/postgresql';
import { PaymentProcessing } from '../../domain/payment-processing.ts';

export function findPaymentProcessing(orm: MikroORM, paymentId: number): Promise<PaymentProcessing | null> {
  return orm.em.fork().findOne(PaymentProcessing, { paymentId });
}
