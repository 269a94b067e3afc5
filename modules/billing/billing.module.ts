import { defineModule } from '../../src/platform/module.ts';
import { onChargeDebited, onChargeRejected } from './application/charge-order/on-charge-answered.listener.ts';
import { onOrderCreated } from './application/charge-order/on-order-created.listener.ts';
import { onPaymentSubmitted } from './application/process-payment/on-payment-submitted.listener.ts';
import { paymentProcessingRoutes } from './application/process-payment/payment-processing.route.ts';
import { PaymentProcessingScheduler } from './application/process-payment/payment-processing.scheduler.ts';
import { queryChargesRoutes } from './application/query-charges/query-charges.route.ts';
import { BillingChargeFailed } from './contracts/events/billing-charge-failed.event.ts';
import { BillingChargeRequested } from './contracts/events/billing-charge-requested.event.ts';
import { BillingChargeSucceeded } from './contracts/events/billing-charge-succeeded.event.ts';
import { BillingPaymentProcessed } from './contracts/events/billing-payment-processed.event.ts';
import { systemRandom } from './domain/processing-decision.ts';
import { ChargeEntity, PaymentProcessingEntity } from './infrastructure/billing.entity.ts';
import { BillingSettings } from './billing.settings.ts';

export default defineModule({
  name: 'billing',
  description: 'Payment processing (simulated delay and failure rate) and order charges',
  entities: [PaymentProcessingEntity, ChargeEntity],
  produces: [BillingPaymentProcessed, BillingChargeRequested, BillingChargeSucceeded, BillingChargeFailed],
  settings: BillingSettings,
  async routes(app, container) {
    const { orm } = container.cradle;
    paymentProcessingRoutes(app, { orm });
    queryChargesRoutes(app, { orm });
  },
  handlers: [onPaymentSubmitted, onOrderCreated, onChargeDebited, onChargeRejected],
  async start(container) {
    const { orm, units, clock, config, settings, logger } = container.cradle;
    if (!config.roles.has('worker')) return async () => {};
    const scheduler = new PaymentProcessingScheduler({ orm, units, clock, random: systemRandom, rules: settings.of(BillingSettings), logger });
    scheduler.start();
    return () => scheduler.stop();
  },
});
