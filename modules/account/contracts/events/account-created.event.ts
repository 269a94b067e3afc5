import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** `account.created`: payload fixed for outside consumers (docs/requirements.md#fixed-payloads). */
export const AccountCreated = defineEvent({
  type: 'account.created',
  version: 1,
  source: 'account',
  description: 'An account was opened for a registered person; their profile becomes ACTIVE. Key: accountId.',
  keyOf: (data) => data.accountId,
  schema: Type.Object({
    /** Id of the new account (integer id). */
    accountId: Type.Integer({ minimum: 1, examples: [67890] }),
    /** Owner's profile id (integer id). */
    userId: Type.Integer({ minimum: 1, examples: [111] }),
    /** CHECKING, SAVINGS, ... */
    accountType: Type.String({ examples: ['CHECKING'] }),
    /** ISO 4217. */
    currency: Type.String({ examples: ['EUR'] }),
    /** ACTIVE, PENDING, ... */
    status: Type.String({ examples: ['ACTIVE'] }),
    createdAt: Type.String({ format: 'date-time', examples: ['2024-01-10T08:00:00Z'] }),
  }),
});
