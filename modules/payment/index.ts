/** Public surface of the payment module: what other modules may import. */
export { PaymentRequested } from './contracts/events/payment-requested.ts';
export { PaymentSubmitted } from './contracts/events/payment-submitted.ts';
export { PaymentStatusChanged } from './contracts/events/payment-status-changed.ts';
export { PaymentCompleted } from './contracts/events/payment-completed.ts';
export { PaymentFailed } from './contracts/events/payment-failed.ts';
export { PaymentReversed } from './contracts/events/payment-reversed.ts';
export { FraudDetected } from './contracts/events/fraud-detected.ts';
