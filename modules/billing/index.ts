/** Public surface of the billing module: what other modules may import. */
export { BillingPaymentProcessed } from './contracts/events/billing-payment-processed.ts';
export { BillingChargeRequested } from './contracts/events/billing-charge-requested.ts';
export { BillingChargeSucceeded } from './contracts/events/billing-charge-succeeded.ts';
export { BillingChargeFailed } from './contracts/events/billing-charge-failed.ts';
