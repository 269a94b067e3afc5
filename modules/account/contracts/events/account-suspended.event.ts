import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `account.suspended`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). */
export const AccountSuspended = defineEvent({
  type: 'account.suspended',
  version: 1,
  source: 'account',
  description: 'An account was suspended (security or fraud); payments refuse it at once. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    userId: Type.Integer({ minimum: 1, examples: [111] }),
    reason: Type.String({ examples: ['FRAUD_SUSPECTED'] }),
    suspendedAt: Type.String({ format: 'date-time' }),
    /** When the suspension ends (optional). */
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  }),
});
