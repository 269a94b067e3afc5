import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { BillingChargeFailed, BillingChargeSucceeded } from '../../../billing/index.ts';
import { Order } from '../../domain/order.ts';
import { announceOrderSettled } from '../../infrastructure/order-settled.channel.ts';

async function lockedOrder(em: EntityManager, orderId: number): Promise<Order> {
  const order = await em.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  // The order committed before order.created left; an outcome for an unknown order is a bug to dead-letter.
  if (order === null) throw new Error(`charge outcome for unknown order ${orderId}`);
  return order;
}

/** Billing charged the order: PAID, and the waiting POST /orders (in any process) is told. */
export const onChargeSucceeded = handles(BillingChargeSucceeded, ({ clock }) => async (event, { em }) => {
  const order = await lockedOrder(em, event.data.orderId);
  if (order.markPaid(event.data.chargeId, clock.now())) await announceOrderSettled(em, order.id);
});

/** Billing could not charge the order: PAYMENT_FAILED with billing's reason (INSUFFICIENT_FUNDS, ...). */
export const onChargeFailed = handles(BillingChargeFailed, ({ clock }) => async (event, { em }) => {
  const order = await lockedOrder(em, event.data.orderId);
  if (order.markPaymentFailed(event.data.chargeId, event.data.reason, clock.now())) await announceOrderSettled(em, order.id);
});
