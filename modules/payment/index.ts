/** Public surface of the payment module: what other modules may import. */
export { PaymentRequested } from './contracts/events/payment-requested.event.ts';
export { PaymentSubmitted } from './contracts/events/payment-submitted.event.ts';
export { PaymentStatusChanged } from './contracts/events/payment-status-changed.event.ts';
export { PaymentCompleted } from './contracts/events/payment-completed.event.ts';
export { PaymentFailed } from './contracts/events/payment-failed.event.ts';
export { PaymentReversed } from './contracts/events/payment-reversed.event.ts';
export { FraudDetected } from './contracts/events/fraud-detected.event.ts';
