import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `account.updated`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). */
export const AccountUpdated = defineEvent({
  type: 'account.updated',
  version: 1,
  source: 'account',
  description: 'An existing account changed, e.g. its status. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    userId: Type.Integer({ minimum: 1, examples: [111] }),
    /** The new status. */
    status: Type.String({ examples: ['SUSPENDED'] }),
    updatedAt: Type.String({ format: 'date-time' }),
    changes: Type.Object({
      previousStatus: Type.String({ examples: ['ACTIVE'] }),
      newStatus: Type.String({ examples: ['SUSPENDED'] }),
    }),
  }),
});
