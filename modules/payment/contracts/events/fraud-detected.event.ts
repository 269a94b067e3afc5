import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `fraud.detected`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). */
export const FraudDetected = defineEvent({
  type: 'fraud.detected',
  version: 1,
  source: 'payment',
  description: 'The fraud rules flagged a payment; at CRITICAL severity the account is suspended. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1, examples: [12345] }),
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    userId: Type.Integer({ minimum: 1, examples: [111] }),
    amount: Type.Number({ examples: [5000.0] }),
    currency: Type.String({ examples: ['EUR'] }),
    /** 0.0 to 1.0 */
    fraudScore: Type.Number({ minimum: 0, maximum: 1, examples: [0.95] }),
    fraudReasons: Type.Array(Type.String(), { examples: [['AMOUNT_TOO_HIGH']] }),
    detectedAt: Type.String({ format: 'date-time' }),
    /** LOW, MEDIUM, HIGH, CRITICAL */
    severity: Type.String({ examples: ['HIGH'] }),
  }),
});
