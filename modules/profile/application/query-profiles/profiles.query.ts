import type { MikroORM } from '@mikro-orm/postgresql';
import type { Caller } from '../../../../src/platform/auth/caller.ts';
import { readInSnapshot } from '../../../../src/platform/db/snapshot.ts';
import { Profile } from '../../domain/profile.ts';
import { type Found, type PageRequest } from '../../../../src/platform/http/schemas.ts';

/** Every profile for an operator, its own for a customer; oldest first, the page and its total from one snapshot. */
export async function profilesVisibleTo(orm: MikroORM, caller: Caller, page: PageRequest): Promise<Found<Profile>> {
  const visible = caller.role === 'customer' ? { login: caller.subject } : {};
  const [items, total] = await readInSnapshot(orm, (em) => em.findAndCount(Profile, visible, { orderBy: { id: 'asc' }, ...page }));
  return { items, total };
}

/** The profile using this login or this email (emails are stored lower-case); at least one is given. */
export function profileUsing(orm: MikroORM, uses: { login?: string | undefined; email?: string | undefined }): Promise<Profile | null> {
  const criteria = [...(uses.login === undefined ? [] : [{ login: uses.login }]), ...(uses.email === undefined ? [] : [{ email: uses.email.toLowerCase() }])];
  return orm.em.fork().findOne(Profile, { $or: criteria });
}

export function profileById(orm: MikroORM, id: number): Promise<Profile | null> {
  return orm.em.fork().findOne(Profile, { id });
}
