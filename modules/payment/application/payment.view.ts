import type { Static } from 'typebox';
import { Type } from 'typebox';
import { fromMinorUnits, MoneyValue } from '../../../src/platform/money.ts';
import type { Payment } from '../domain/payment.ts';
import { TransactionTypeSchema } from './request-payment/request-payment.schema.ts';
import { literalUnion } from '../../../src/platform/http/schemas.ts';
import { PAYMENT_STATUSES } from '../domain/payment-status.ts';

export const PaymentStatusSchema = literalUnion(PAYMENT_STATUSES);

export const PaymentIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

export const PaymentView = Type.Object({
  id: Type.Integer({ examples: [1] }),
  accountId: Type.Integer({ examples: [1] }),
  userId: Type.Integer({ examples: [1] }),
  userName: Type.Union([Type.String(), Type.Null()], { description: "The payer's login, when known" }),
  amount: MoneyValue,
  currency: Type.String({ examples: ['EUR'] }),
  transactionType: TransactionTypeSchema,
  description: Type.Union([Type.String(), Type.Null()]),
  status: PaymentStatusSchema,
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was rejected, failed or reversed' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const PaymentStatusView = Type.Object({ id: Type.Integer({ examples: [1] }), status: PaymentStatusSchema });

export function toPaymentView(payment: Payment): Static<typeof PaymentView> {
  return {
    id: payment.id,
    accountId: payment.accountId,
    userId: payment.userId,
    userName: payment.userName,
    amount: fromMinorUnits(payment.amount, payment.currency),
    currency: payment.currency,
    transactionType: payment.transactionType,
    description: payment.description,
    status: payment.status,
    reason: payment.reason,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
    completedAt: payment.completedAt?.toISOString() ?? null,
  };
}
