import { asValue } from 'awilix';
import { defineModule } from '../../src/platform/module.ts';
import { OrderOutcomeWaiters } from './application/place-order/order-outcome.waiter.ts';
import { placeOrderRoutes } from './application/place-order/place-order.route.ts';
import { queryOrdersRoutes } from './application/query-orders/query-orders.route.ts';
import { onChargeFailed, onChargeSucceeded } from './application/settle-order/on-charge-settled.listener.ts';
import { OrderCreated } from './contracts/events/order-created.event.ts';
import { OrderItemEntity, OrderEntity } from './infrastructure/order.entity.ts';
import { readOrderStatus } from './infrastructure/order.repository.ts';
import { listenForSettledOrders } from './infrastructure/order-settled.channel.ts';
import { OrderSettings } from './order.settings.ts';

/** The container name of this process's registry of requests waiting for a charge outcome. */
const WAITERS = 'orderOutcomeWaiters';

export default defineModule({
  name: 'order',
  description: 'Orders: placed, charged by billing, answered paid or not paid',
  entities: [OrderEntity, OrderItemEntity],
  produces: [OrderCreated],
  settings: OrderSettings,
  register(container) {
    const { orm } = container.cradle;
    container.register(WAITERS, asValue(new OrderOutcomeWaiters((orderId) => readOrderStatus(orm.em.fork(), orderId))));
  },
  async routes(app, container) {
    const { orm, clock, idempotency, settings, moneyLimits } = container.cradle;
    const waiters = container.resolve<OrderOutcomeWaiters>(WAITERS);
    placeOrderRoutes(app, { clock, limits: moneyLimits, idempotency, waiters, waitMs: settings.of(OrderSettings).waitMs });
    queryOrdersRoutes(app, { orm });
  },
  handlers: [onChargeSucceeded, onChargeFailed],
  async start(container) {
    const { orm, config, logger } = container.cradle;
    // Only requests wait for outcomes, so only a process serving the API listens for settlements.
    if (!config.roles.has('api')) return async () => {};
    const waiters = container.resolve<OrderOutcomeWaiters>(WAITERS);
    const listener = listenForSettledOrders(orm.config.get('clientUrl')!, (orderId) => waiters.settled(orderId), logger);
    listener.start();
    return () => listener.stop();
  },
});
