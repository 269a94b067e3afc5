import { Type } from 'typebox';

export const ProfileView = Type.Object({
  id: Type.Integer({ examples: [1] }),
  login: Type.String({ examples: ['alice'] }),
  fullName: Type.String({ examples: ['Alice Martin'] }),
  email: Type.String({ examples: ['alice@example.org'] }),
  currency: Type.String({ examples: ['EUR'] }),
  status: Type.Union([Type.Literal('PENDING'), Type.Literal('ACTIVE')]),
  createdAt: Type.String({ format: 'date-time' }),
});
