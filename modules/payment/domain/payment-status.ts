export const PAYMENT_STATUSES = ['CREATED', 'PROCESSING', 'COMPLETED', 'REJECTED', 'FAILED', 'REVERSED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
