import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `account.balance.changed`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). */
export const AccountBalanceChanged = defineEvent({
  type: 'account.balance.changed',
  version: 1,
  source: 'account',
  description: 'The balance of an account changed (deposit, withdrawal, payment capture, reversal re-credit or order debit). Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    /** Balance before the change: a decimal number in the currency's major unit. */
    previousBalance: Type.Number({ examples: [1000.0] }),
    newBalance: Type.Number({ examples: [850.0] }),
    /** Negative for a debit. */
    changeAmount: Type.Number({ examples: [-150.0] }),
    currency: Type.String({ examples: ['EUR'] }),
    /** DEBIT or CREDIT. */
    changeReason: Type.String({ examples: ['DEBIT'] }),
    timestamp: Type.String({ format: 'date-time', examples: ['2024-01-15T10:30:00Z'] }),
  }),
});
