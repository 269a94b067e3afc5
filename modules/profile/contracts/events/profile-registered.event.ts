import { Type } from 'typebox';
import { defineEvent } from '../../../../src/platform/messaging/contract.ts';

/** A person registered; the account module opens their account. */
export const ProfileRegistered = defineEvent({
  type: 'profile.registered',
  version: 1,
  source: 'profile',
  description: 'A person registered; the account module opens their account. Key: userId.',
  keyOf: (data) => data.userId,
  schema: Type.Object({
    /** Profile id (64-bit integer). */
    userId: Type.Integer({ minimum: 1 }),
    login: Type.String({ minLength: 1 }),
    fullName: Type.String(),
    email: Type.String(),
    /** ISO 4217 currency of the account to open. */
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    registeredAt: Type.String({ format: 'date-time' }),
  }),
});
