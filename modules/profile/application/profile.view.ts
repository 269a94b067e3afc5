import { Type, type Static } from 'typebox';
import { PROFILE_STATUSES, type Profile } from '../domain/profile.ts';
import { literalUnion } from '../../../src/platform/http/schemas.ts';

export const ProfileView = Type.Object({
  id: Type.Integer({ examples: [1] }),
  login: Type.String({ examples: ['alice'] }),
  fullName: Type.String({ examples: ['Alice Martin'] }),
  email: Type.String({ examples: ['alice@example.org'] }),
  currency: Type.String({ examples: ['EUR'] }),
  status: literalUnion(PROFILE_STATUSES),
  createdAt: Type.String({ format: 'date-time' }),
});

export function toProfileView(profile: Profile): Static<typeof ProfileView> {
  return {
    id: profile.id,
    login: profile.login,
    fullName: profile.fullName,
    email: profile.email,
    currency: profile.currency,
    status: profile.status,
    createdAt: profile.createdAt.toISOString(),
  };
}
