export const PROFILE_STATUSES = ['PENDING', 'ACTIVE'] as const;
export type ProfileStatus = (typeof PROFILE_STATUSES)[number];

/** A person. PENDING until their account exists, then ACTIVE (onboarding done). */
export class Profile {
  id!: number;
  login!: string;
  fullName!: string;
  email!: string;
  currency!: string;
  status: ProfileStatus = 'PENDING';
  createdAt!: Date;
  updatedAt!: Date;

  static register(input: { login: string; fullName: string; email: string; currency: string }, now: Date): Profile {
    const profile = new Profile();
    profile.login = input.login;
    profile.fullName = input.fullName;
    profile.email = input.email.toLowerCase();
    profile.currency = input.currency;
    profile.createdAt = now;
    profile.updatedAt = now;
    return profile;
  }

  /** Idempotent: a profile that is already active stays as it is. Returns whether it changed. */
  activate(now: Date): boolean {
    if (this.status === 'ACTIVE') return false;
    this.status = 'ACTIVE';
    this.updatedAt = now;
    return true;
  }
}
