import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import { readInSnapshot } from '../../../../src/platform/db/snapshot.ts';
import { Payment } from '../../domain/payment.ts';
import type { KnownAccounts } from '../../infrastructure/known-accounts.repository.ts';
import { type Found, type PageRequest } from '../../../../src/platform/http/schemas.ts';

/** Payments newest first: everyone's, or one user's when `userName` is given; the page and its total from one snapshot. */
export async function paymentsOf(
  deps: { orm: MikroORM; accounts: KnownAccounts; clock: Clock },
  userName: string | undefined,
  page: PageRequest,
): Promise<Found<Payment>> {
  let where = {};
  if (userName !== undefined) {
    // A user has one account; payments made by accountId know it even when they never saw the login.
    const accountId = await deps.accounts.locate(deps.orm.em.fork(), { userName }, deps.clock.now());
    if (accountId === undefined) return { items: [], total: 0 };
    where = { accountId };
  }
  const [items, total] = await readInSnapshot(deps.orm, (em) => em.findAndCount(Payment, where, { orderBy: { id: 'desc' }, ...page }));
  return { items, total };
}

export function paymentById(orm: MikroORM, id: number): Promise<Payment | null> {
  return orm.em.fork().findOne(Payment, { id });
}
