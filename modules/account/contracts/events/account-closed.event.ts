import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `account.closed`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). */
export const AccountClosed = defineEvent({
  type: 'account.closed',
  version: 1,
  source: 'account',
  description: 'An account was closed for good; payments refuse it at once. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    userId: Type.Integer({ minimum: 1, examples: [111] }),
    closedAt: Type.String({ format: 'date-time' }),
    reason: Type.String({ examples: ['CUSTOMER_REQUEST'] }),
  }),
});
