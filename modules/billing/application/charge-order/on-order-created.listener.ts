import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { fromMinorUnits, toMinorUnits } from '../../../../src/platform/money.ts';
import { OrderCreated } from '../../../order/index.ts';
import { BillingChargeRequested } from '../../contracts/events/billing-charge-requested.event.ts';
import { Charge } from '../../domain/charge.ts';

/** An order was saved, so billing opens a PENDING charge and asks the account module to debit it. */
export const onOrderCreated = handles(OrderCreated, ({ clock }) => async (event, { em, publish }) => {
  const { data } = event;
  if ((await em.findOne(Charge, { orderId: data.orderId })) !== null) return;
  const charge = Charge.open(
    { orderId: data.orderId, login: data.login, amount: toMinorUnits(data.amount, data.currency, 'amount'), currency: data.currency },
    clock.now(),
  );
  em.persist(charge);
  await em.flush();
  publish(BillingChargeRequested, {
    chargeId: charge.id,
    orderId: charge.orderId,
    login: charge.login,
    amount: fromMinorUnits(charge.amount, charge.currency),
    currency: charge.currency,
    requestedAt: charge.createdAt.toISOString(),
  });
});
