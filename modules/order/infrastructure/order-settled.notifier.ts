import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { pause } from '../../../src/platform/messaging/backoff.ts';
import type { Logger } from '../../../src/platform/observability/logger.ts';

export const ORDER_SETTLED_CHANNEL = 'ordering_order_settled';
const RECONNECT_MS = 1000;

/**
 * Announces, inside the transaction that settles an order, that it is settled. PostgreSQL delivers
 * a NOTIFY only when (and if) that transaction commits, to every process listening: the waiting
 * request may run in another process than the consumer that settled the order.
 */
export async function announceOrderSettled(em: EntityManager, orderId: number): Promise<void> {
  await em.execute('select pg_notify(?, ?)', [ORDER_SETTLED_CHANNEL, String(orderId)]);
}

/**
 * LISTENs for settled orders on a dedicated connection and reconnects after a database restart.
 * While it is disconnected, waiting requests fall back to reading the order row.
 */
export class OrderSettledListener {
  private client: pg.Client | undefined;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly onSettled: (orderId: number) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.running ??= this.connectLoop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.client?.end().catch(() => undefined);
    await this.running;
  }

  private async connectLoop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const client = new pg.Client({ connectionString: this.url });
      const lost = new Promise<void>((resolve) => {
        client.on('error', (error) => {
          this.logger.warn({ err: error }, 'order settlement listener connection lost');
          resolve();
        });
        client.on('end', () => resolve());
      });
      try {
        await client.connect();
        client.on('notification', (message) => {
          const orderId = Number(message.payload);
          if (Number.isSafeInteger(orderId)) this.onSettled(orderId);
        });
        await client.query(`listen ${ORDER_SETTLED_CHANNEL}`);
        this.client = client;
        if (!this.stopping.signal.aborted) await lost;
      } catch (error) {
        this.logger.debug({ err: error }, 'order settlement listener could not connect');
      }
      this.client = undefined;
      await client.end().catch(() => undefined);
      await pause(RECONNECT_MS, this.stopping.signal);
    }
  }
}
