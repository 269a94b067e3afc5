import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** Seed 002 `account.closed`, payload exactly as there. */
export const AccountClosed = defineEvent({
  type: 'account.closed',
  version: 1,
  source: 'account',
  description: 'An account was closed for good (seed 002). Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    userId: Type.Integer({ minimum: 1, examples: [111] }),
    closedAt: Type.String({ format: 'date-time' }),
    reason: Type.String({ examples: ['CUSTOMER_REQUEST'] }),
  }),
});
