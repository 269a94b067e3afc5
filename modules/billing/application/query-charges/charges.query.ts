import type { MikroORM } from '@mikro-orm/postgresql';
import { readInSnapshot } from '../../../../src/platform/db/snapshot.ts';
import { Charge } from '../../domain/charge.ts';
import { type Found, type PageRequest } from '../../../../src/platform/http/schemas.ts';

/** A person's order charges, newest first; the page and its total from one snapshot. */
export async function chargesOf(orm: MikroORM, login: string, page: PageRequest): Promise<Found<Charge>> {
  const [items, total] = await readInSnapshot(orm, (em) => em.findAndCount(Charge, { login }, { orderBy: { id: 'desc' }, ...page }));
  return { items, total };
}
