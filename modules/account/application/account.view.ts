import type { Static } from 'typebox';
import { Type } from 'typebox';
import { fromMinorUnits, MoneyValue } from '../../../src/platform/money.ts';
import { ACCOUNT_STATUSES, type Account } from '../domain/account.ts';
import { literalUnion } from '../../../src/platform/http/schemas.ts';

export const AccountView = Type.Object({
  accountId: Type.Integer({ examples: [1] }),
  userId: Type.Integer({ examples: [1] }),
  login: Type.String({ examples: ['alice'] }),
  balance: MoneyValue,
  reserved: MoneyValue,
  available: MoneyValue,
  currency: Type.String({ examples: ['EUR'] }),
  status: literalUnion(ACCOUNT_STATUSES),
});

export function toAccountView(account: Account): Static<typeof AccountView> {
  return {
    accountId: account.id,
    userId: account.userId,
    login: account.login,
    balance: fromMinorUnits(account.balance, account.currency),
    reserved: fromMinorUnits(account.reserved, account.currency),
    available: fromMinorUnits(account.available(), account.currency),
    currency: account.currency,
    status: account.status,
  };
}
