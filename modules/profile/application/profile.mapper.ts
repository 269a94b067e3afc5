import type { Static } from 'typebox';
import type { Profile } from '../domain/profile.ts';
import type { ProfileView } from './profile.schema.ts';

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
