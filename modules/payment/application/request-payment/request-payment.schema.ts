import { Type } from 'typebox';
import { CurrencyCode, MoneyAmount } from '../../../../src/platform/money.ts';
import { literalUnion } from '../../../../src/platform/http/schemas.ts';
import { TRANSACTION_TYPES } from '../../domain/payment.ts';
import type { PaymentStatus } from '../../domain/payment-status.ts';

export const TransactionTypeSchema = literalUnion(TRANSACTION_TYPES, {
  description: 'How the payment was initiated (default STANDARD)',
});

export const RequestPaymentBody = Type.Object(
  {
    userName: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The payer's login; give this or accountId", examples: ['alice'] })),
    accountId: Type.Optional(Type.Integer({ minimum: 1, description: 'The paying account; give this or userName', examples: [1] })),
    amount: MoneyAmount('Amount in the account currency, at most 2 fraction digits'),
    currency: CurrencyCode,
    transactionType: Type.Optional(TransactionTypeSchema),
    description: Type.Optional(Type.String({ maxLength: 500, examples: ['Invoice 2024-001'] })),
  },
  { additionalProperties: false },
);

export const PaymentAccepted = Type.Object({
  id: Type.Integer({ examples: [1] }),
  status: literalUnion(['CREATED', 'REJECTED'] as const satisfies readonly PaymentStatus[], {
    description: 'CREATED when accepted; REJECTED when the fraud rules refused it (the payment is still recorded)',
  }),
});
