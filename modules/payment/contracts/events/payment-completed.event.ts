import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `payment.completed`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). */
export const PaymentCompleted = defineEvent({
  type: 'payment.completed',
  version: 1,
  source: 'payment',
  description: 'A payment completed; the account captures the reserved amount. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    /** Payment id (integer id). */
    paymentId: Type.Integer({ minimum: 1, examples: [12345] }),
    /** Debited account (integer id). */
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    /** Decimal number in the currency's major unit, with at most its minor-unit digits (2 for EUR). */
    amount: Type.Number({ examples: [150.75] }),
    currency: Type.String({ examples: ['EUR'] }),
    /** STANDARD, INSTANT, BIOMETRIC, QR_CODE */
    transactionType: Type.String({ examples: ['STANDARD'] }),
    status: Type.Literal('COMPLETED'),
    completedAt: Type.String({ format: 'date-time', examples: ['2024-01-15T10:30:00Z'] }),
  }),
});
