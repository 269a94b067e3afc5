import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** Seed 002 `payment.completed`, payload exactly as there. */
export const PaymentCompleted = defineEvent({
  type: 'payment.completed',
  version: 1,
  source: 'payment',
  description: 'A payment completed; the account captures the reserved amount (seed 002). Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    /** Payment id (Long). */
    paymentId: Type.Integer({ minimum: 1, examples: [12345] }),
    /** Debited account (Long). */
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    /** BigDecimal with at most 2 fraction digits. */
    amount: Type.Number({ examples: [150.75] }),
    currency: Type.String({ examples: ['EUR'] }),
    /** STANDARD, INSTANT, BIOMETRIC, QR_CODE */
    transactionType: Type.String({ examples: ['STANDARD'] }),
    status: Type.Literal('COMPLETED'),
    completedAt: Type.String({ format: 'date-time', examples: ['2024-01-15T10:30:00Z'] }),
  }),
});
