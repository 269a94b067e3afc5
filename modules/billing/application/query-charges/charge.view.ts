import { Type, type Static } from 'typebox';
import { fromMinorUnits, MoneyValue } from '../../../../src/platform/money.ts';
import { CHARGE_STATUSES, type Charge } from '../../domain/charge.ts';
import { literalUnion } from '../../../../src/platform/http/schemas.ts';

export const ChargeView = Type.Object({
  chargeId: Type.Integer({ examples: [1] }),
  orderId: Type.Integer({ examples: [1] }),
  login: Type.String({ examples: ['alice'] }),
  accountId: Type.Union([Type.Integer(), Type.Null()], { description: 'Known once the account module answered' }),
  amount: MoneyValue,
  currency: Type.String({ examples: ['EUR'] }),
  status: literalUnion(CHARGE_STATUSES),
  failureReason: Type.Union([Type.String(), Type.Null()], { examples: ['INSUFFICIENT_FUNDS'] }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export function toChargeView(charge: Charge): Static<typeof ChargeView> {
  return {
    chargeId: charge.id,
    orderId: charge.orderId,
    login: charge.login,
    accountId: charge.accountId,
    amount: fromMinorUnits(charge.amount, charge.currency),
    currency: charge.currency,
    status: charge.status,
    failureReason: charge.failureReason,
    createdAt: charge.createdAt.toISOString(),
    updatedAt: charge.updatedAt.toISOString(),
  };
}
