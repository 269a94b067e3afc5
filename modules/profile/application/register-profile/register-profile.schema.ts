import { Type } from 'typebox';
import { CurrencyCode } from '../../../../src/platform/money.ts';
import type { ProfileStatus } from '../../domain/profile.ts';

export const RegisterProfileBody = Type.Object(
  {
    login: Type.String({ pattern: '^[A-Za-z0-9._-]{3,64}$', description: '3–64 letters, digits, dot, dash or underscore', examples: ['alice'] }),
    fullName: Type.String({ minLength: 1, maxLength: 200, examples: ['Alice Martin'] }),
    email: Type.String({ format: 'email', maxLength: 254, examples: ['alice@example.org'] }),
    currency: Type.Optional({ ...CurrencyCode, description: 'Currency of the account to open (default EUR)' }),
  },
  { additionalProperties: false },
);

export const RegisterProfileResponse = Type.Object({
  id: Type.Integer({ examples: [1] }),
  login: Type.String({ examples: ['alice'] }),
  status: Type.Literal('PENDING' satisfies ProfileStatus),
});
