import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import { transactionally } from '../../../../src/platform/db/transaction.ts';
import { ConflictError } from '../../../../src/platform/errors.ts';
import { assertCurrency } from '../../../../src/platform/money.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import { ProfileRegistered } from '../../contracts/events/profile-registered.ts';
import { Profile } from '../../domain/profile.ts';

export interface RegisterProfile {
  login: string;
  fullName: string;
  email: string;
  currency?: string | undefined;
}

export const DEFAULT_CURRENCY = 'EUR';

/** Saves a PENDING profile and `profile.registered` in one transaction; a taken login or email is 409. */
export async function registerProfile(
  deps: { em: EntityManager; outbox: OutboxWriter; clock: Clock },
  command: RegisterProfile,
): Promise<Profile> {
  const currency = assertCurrency(command.currency ?? DEFAULT_CURRENCY, 'currency');
  try {
    return await transactionally(deps.em, async (em) => {
      await assertUnique(em, command.login, command.email);
      const profile = Profile.register({ ...command, currency }, deps.clock.now());
      em.persist(profile);
      await em.flush();
      deps.outbox.add(em, ProfileRegistered, {
        userId: profile.id,
        login: profile.login,
        fullName: profile.fullName,
        email: profile.email,
        currency: profile.currency,
        registeredAt: profile.createdAt.toISOString(),
      });
      return profile;
    });
  } catch (error) {
    // Two registrations racing past the check meet the unique index.
    if (error instanceof UniqueConstraintViolationException) {
      throw new ConflictError('profile-exists', 'A profile with this login or email already exists');
    }
    throw error;
  }
}

async function assertUnique(em: EntityManager, login: string, email: string): Promise<void> {
  const existing = await em.findOne(Profile, { $or: [{ login }, { email: email.toLowerCase() }] });
  if (existing === null) return;
  const field = existing.login === login ? 'login' : 'email';
  throw new ConflictError('profile-exists', `A profile with this ${field} already exists`);
}
