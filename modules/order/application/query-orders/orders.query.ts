import type { MikroORM } from '@mikro-orm/postgresql';
import { readInSnapshot } from '../../../../src/platform/db/snapshot.ts';
import type { Order } from '../../domain/order.ts';
import { findOrder, listOrdersOf } from '../../infrastructure/order.repository.ts';
import { type Found, type PageRequest } from '../../../../src/platform/http/schemas.ts';

export function orderById(orm: MikroORM, id: number): Promise<Order | null> {
  return findOrder(orm.em.fork(), id);
}

/** A person's orders, newest first; the page and its total from one snapshot. */
export async function ordersOf(orm: MikroORM, login: string, page: PageRequest): Promise<Found<Order>> {
  const [items, total] = await readInSnapshot(orm, (em) => listOrdersOf(em, login, page));
  return { items, total };
}
