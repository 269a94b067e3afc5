import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `payment.reversed`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). */
export const PaymentReversed = defineEvent({
  type: 'payment.reversed',
  version: 1,
  source: 'payment',
  description: 'A completed payment was reversed; the account is re-credited. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    paymentId: Type.Integer({ minimum: 1, examples: [12345] }),
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    amount: Type.Number({ examples: [150.75] }),
    currency: Type.String({ examples: ['EUR'] }),
    /** CUSTOMER_REQUEST, FRAUD, ERROR, ... */
    reversalReason: Type.String({ examples: ['CUSTOMER_REQUEST'] }),
    originalPaymentDate: Type.String({ format: 'date-time' }),
    reversedAt: Type.String({ format: 'date-time' }),
  }),
});
