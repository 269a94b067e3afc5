import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `payment.failed`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). Covers REJECTED and FAILED payments. */
export const PaymentFailed = defineEvent({
  type: 'payment.failed',
  version: 1,
  source: 'payment',
  description: 'A payment was rejected or failed; any reservation is released. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1, examples: [12345] }),
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    amount: Type.Number({ examples: [150.75] }),
    currency: Type.String({ examples: ['EUR'] }),
    /** INSUFFICIENT_FUNDS, FRAUD_SUSPECTED, PROCESSING_FAILED, ACCOUNT_SUSPENDED, ... */
    failureReason: Type.String({ examples: ['INSUFFICIENT_FUNDS'] }),
    /** Technical error code, e.g. ERR_BALANCE_001. */
    errorCode: Type.String({ examples: ['ERR_BALANCE_001'] }),
    failedAt: Type.String({ format: 'date-time', examples: ['2024-01-15T10:35:00Z'] }),
  }),
});
