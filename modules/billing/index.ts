/** Public surface of the billing module: what other modules may import. */
export { BillingPaymentProcessed } from './contracts/events/billing-payment-processed.event.ts';
export { BillingChargeRequested } from './contracts/events/billing-charge-requested.event.ts';
export { BillingChargeSucceeded } from './contracts/events/billing-charge-succeeded.event.ts';
export { BillingChargeFailed } from './contracts/events/billing-charge-failed.event.ts';
