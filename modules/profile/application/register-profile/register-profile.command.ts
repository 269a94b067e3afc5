import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { ConflictError } from '../../../../src/platform/errors.ts';
import { assertCurrency } from '../../../../src/platform/money.ts';
import { ProfileRegistered } from '../../contracts/events/profile-registered.event.ts';
import { Profile } from '../../domain/profile.ts';

export interface RegisterProfile {
  login: string;
  fullName: string;
  email: string;
  currency?: string | undefined;
}

export const DEFAULT_CURRENCY = 'EUR';

/** Saves a PENDING profile and `profile.registered` in one unit of work; a taken login or email is 409. */
export async function registerProfile(uow: UnitOfWork, clock: Clock, command: RegisterProfile): Promise<Profile> {
  const currency = assertCurrency(command.currency ?? DEFAULT_CURRENCY, 'currency');
  await assertUnique(uow.em, command.login, command.email);
  const profile = Profile.register({ ...command, currency }, clock.now());
  uow.em.persist(profile);
  try {
    await uow.em.flush();
  } catch (error) {
    // Two registrations racing past the check meet the unique index.
    if (error instanceof UniqueConstraintViolationException) {
      throw new ConflictError('profile-exists', 'A profile with this login or email already exists');
    }
    throw error;
  }
  uow.publish(ProfileRegistered, {
    userId: profile.id,
    login: profile.login,
    fullName: profile.fullName,
    email: profile.email,
    currency: profile.currency,
    registeredAt: profile.createdAt.toISOString(),
  });
  return profile;
}

async function assertUnique(em: EntityManager, login: string, email: string): Promise<void> {
  const existing = await em.findOne(Profile, { $or: [{ login }, { email: email.toLowerCase() }] });
  if (existing === null) return;
  const field = existing.login === login ? 'login' : 'email';
  throw new ConflictError('profile-exists', `A profile with this ${field} already exists`);
}
