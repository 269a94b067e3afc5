import type { EntityManager, FindOptions } from '@mikro-orm/postgresql';
import { OrderItem } from '../domain/order-item.ts';
import { Order } from '../domain/order.ts';

/** Saves a new order and its lines; the order gets its id first so the lines can point to it. */
export async function saveNewOrder(em: EntityManager, order: Order): Promise<void> {
  em.persist(order);
  await em.flush();
  for (const item of order.items) {
    item.belongTo(order.id);
    em.persist(item);
  }
  await em.flush();
}

export async function findOrder(em: EntityManager, id: number, options: Pick<FindOptions<Order>, 'lockMode'> = {}): Promise<Order | null> {
  const order = await em.findOne(Order, { id }, options);
  if (order === null) return null;
  await attachItems(em, [order]);
  return order;
}

export async function listOrdersOf(em: EntityManager, login: string, page: { limit: number; offset: number }): Promise<[Order[], number]> {
  const [orders, total] = await em.findAndCount(Order, { login }, { orderBy: { id: 'desc' }, ...page });
  await attachItems(em, orders);
  return [orders, total];
}

/** The order's status alone, read fresh from the database (the wait for a charge outcome polls it). */
export async function readOrderStatus(em: EntityManager, id: number): Promise<Pick<Order, 'id' | 'status' | 'failureReason'> | null> {
  const [row] = await em.execute<Array<{ id: number; status: Order['status']; failure_reason: string | null }>>(
    'select id, status, failure_reason from ordering.orders where id = ?',
    [id],
  );
  return row === undefined ? null : { id: row.id, status: row.status, failureReason: row.failure_reason };
}

async function attachItems(em: EntityManager, orders: Order[]): Promise<void> {
  if (orders.length === 0) return;
  const items = await em.find(OrderItem, { orderId: { $in: orders.map((order) => order.id) } }, { orderBy: { orderId: 'asc', position: 'asc' } });
  for (const order of orders) order.items = items.filter((item) => item.orderId === order.id);
}
