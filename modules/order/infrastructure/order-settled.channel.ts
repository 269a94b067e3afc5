import type { EntityManager } from '@mikro-orm/postgresql';
import { PgListener } from '../../../src/platform/db/pg-listener.ts';
import type { Logger } from '../../../src/platform/observability/logger.ts';

export const ORDER_SETTLED_CHANNEL = 'ordering_order_settled';

/**
 * Announces, inside the transaction that settles an order, that it is settled. PostgreSQL delivers
 * a NOTIFY only when (and if) that transaction commits, to every process listening: the waiting
 * request may run in another process than the consumer that settled the order.
 */
export async function announceOrderSettled(em: EntityManager, orderId: number): Promise<void> {
  await em.execute('select pg_notify(?, ?)', [ORDER_SETTLED_CHANNEL, String(orderId)]);
}

/**
 * Hears settled orders. While its connection is down, waiting requests fall back to reading the
 * order row, so nothing needs redoing when it listens again.
 */
export function listenForSettledOrders(url: string, onSettled: (orderId: number) => void, logger: Logger): PgListener {
  return new PgListener({
    url,
    channel: ORDER_SETTLED_CHANNEL,
    onNotification: (payload) => {
      const orderId = Number(payload);
      if (Number.isSafeInteger(orderId)) onSettled(orderId);
    },
    logger,
  });
}
